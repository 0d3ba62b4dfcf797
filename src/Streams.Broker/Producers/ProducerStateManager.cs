using Streams.Broker.Protocol;
using Streams.Broker.Records;

namespace Streams.Broker.Producers;

/// <summary>
/// Idempotent-producer bookkeeping for one partition: per producer id, the current epoch and the last five batches,
/// so a retried batch is answered with its original offset instead of being written twice, and gaps are refused.
/// Rebuilt from the batch headers of the log on start, so it survives restarts without a separate snapshot.
/// </summary>
internal sealed class ProducerStateManager
{
    public const int BatchesToRetain = 5;

    private readonly Dictionary<long, ProducerStateEntry> _producers = [];

    public int Count => _producers.Count;

    /// <summary>Checks an incoming batch against the producer's state. Caller holds the partition lock.</summary>
    public ProducerCheck Check(RecordBatchHeader batch)
    {
        if (!batch.HasProducerId)
        {
            return ProducerCheck.Accept;
        }

        if (!_producers.TryGetValue(batch.ProducerId, out var entry))
        {
            // Unknown (new, expired or removed with its segments): accept any sequence, as Kafka does since KIP-360.
            return ProducerCheck.Accept;
        }

        if (batch.ProducerEpoch < entry.Epoch)
        {
            return ProducerCheck.Reject(ErrorCode.InvalidProducerEpoch, $"epoch {batch.ProducerEpoch} is older than the current epoch {entry.Epoch} of producer {batch.ProducerId}");
        }

        if (batch.ProducerEpoch > entry.Epoch)
        {
            return batch.BaseSequence == 0
                ? ProducerCheck.Accept
                : ProducerCheck.Reject(ErrorCode.OutOfOrderSequenceNumber, $"producer {batch.ProducerId} bumped its epoch to {batch.ProducerEpoch} but started at sequence {batch.BaseSequence}, not 0");
        }

        foreach (var cached in entry.Batches)
        {
            if (cached.FirstSequence == batch.BaseSequence && cached.LastSequence == batch.LastSequence)
            {
                return ProducerCheck.Duplicate(cached);
            }
        }

        var expected = entry.LastSequence == int.MaxValue ? 0 : entry.LastSequence + 1;
        return batch.BaseSequence == expected
            ? ProducerCheck.Accept
            : ProducerCheck.Reject(ErrorCode.OutOfOrderSequenceNumber, $"producer {batch.ProducerId} sent sequence {batch.BaseSequence}, expected {expected}");
    }

    /// <summary>Records a batch that is now in the log (at append, or when replaying the log on start).</summary>
    public void Update(RecordBatchHeader batch, long appendTimeMs)
    {
        if (!batch.HasProducerId || batch.IsControl)
        {
            return;
        }

        if (!_producers.TryGetValue(batch.ProducerId, out var entry) || batch.ProducerEpoch > entry.Epoch)
        {
            // A new producer epoch is not a new coordinator: the coordinator epoch seen last stays.
            entry = new ProducerStateEntry(batch.ProducerEpoch) { CoordinatorEpoch = entry?.CoordinatorEpoch ?? -1 };
            _producers[batch.ProducerId] = entry;
        }

        entry.Add(new BatchMetadata(batch.BaseSequence, batch.LastSequence, batch.BaseOffset, batch.LastOffset, batch.MaxTimestamp), appendTimeMs);
    }

    /// <summary>
    /// A transaction marker written for the producer: an epoch above the current one (a bump by the coordinator after
    /// a timeout or a new InitProducerId) becomes current, so batches of the older epoch are refused from now on. The
    /// marker's coordinator epoch is remembered: a later marker from an older coordinator epoch is refused.
    /// </summary>
    public void OnMarker(long producerId, short epoch, long appendTimeMs, int coordinatorEpoch)
    {
        if (!_producers.TryGetValue(producerId, out var entry) || epoch > entry.Epoch)
        {
            entry = new ProducerStateEntry(epoch);
            _producers[producerId] = entry;
        }

        entry.Touch(appendTimeMs);
        entry.CoordinatorEpoch = Math.Max(entry.CoordinatorEpoch, coordinatorEpoch);
    }

    /// <summary>
    /// Forgets producers idle for longer than <c>producer.id.expiration.ms</c>, except those <paramref name="keep"/>
    /// names: a producer with an open transaction here must keep its epoch until the marker, however long it is quiet.
    /// </summary>
    public void ExpireIdle(long nowMs, long expirationMs, Func<long, bool>? keep = null)
    {
        foreach (var (pid, entry) in _producers.Where(p => nowMs - p.Value.LastAppendMs > expirationMs && keep?.Invoke(p.Key) != true).ToList())
        {
            _producers.Remove(pid);
        }
    }

    /// <summary>The epoch of the producer here, or null when it has no state (new or expired).</summary>
    public short? EpochOf(long producerId) => _producers.TryGetValue(producerId, out var entry) ? entry.Epoch : null;

    /// <summary>The coordinator epoch of the last marker written here for the producer; -1 when none (or no state).</summary>
    public int CoordinatorEpochOf(long producerId) => _producers.TryGetValue(producerId, out var entry) ? entry.CoordinatorEpoch : -1;

    /// <summary>Every producer with state here, for DescribeProducers. Caller holds the partition lock.</summary>
    public List<(long ProducerId, short Epoch, int LastSequence, long LastAppendMs, int CoordinatorEpoch)> Describe() =>
        [.. _producers.OrderBy(p => p.Key).Select(p => (p.Key, p.Value.Epoch, p.Value.LastSequence, p.Value.LastAppendMs, p.Value.CoordinatorEpoch))];

    /// <summary>Version 2 adds each producer's coordinator epoch; version 1 files (without it) are still read.</summary>
    private const int SnapshotVersion = 2;

    /// <summary>
    /// Writes every producer's state (epoch, last append time, last five batches) so a clean restart can restore it
    /// without replaying the log; a trailing CRC-32C lets a damaged file be refused. Caller holds the partition lock.
    /// </summary>
    public void WriteSnapshot(string path)
    {
        using var buffer = new MemoryStream();
        using (var writer = new BinaryWriter(buffer, System.Text.Encoding.UTF8, leaveOpen: true))
        {
            writer.Write(SnapshotVersion);
            writer.Write(_producers.Count);
            foreach (var (pid, entry) in _producers)
            {
                writer.Write(pid);
                writer.Write(entry.Epoch);
                writer.Write(entry.LastAppendMs);
                writer.Write(entry.CoordinatorEpoch);
                var batches = entry.Batches.ToList();
                writer.Write(batches.Count);
                foreach (var b in batches)
                {
                    writer.Write(b.FirstSequence);
                    writer.Write(b.LastSequence);
                    writer.Write(b.FirstOffset);
                    writer.Write(b.LastOffset);
                    writer.Write(b.Timestamp);
                }
            }

            writer.Write(Records.Crc32C.Compute(buffer.GetBuffer().AsSpan(0, (int)buffer.Length)));
        }

        Storage.FileUtil.WriteAtomically(path, buffer.GetBuffer().AsSpan(0, (int)buffer.Length));
    }

    /// <summary>Replaces the state with the snapshot at <paramref name="path"/>; false (state left empty) when it is missing or damaged.</summary>
    public bool TryLoadSnapshot(string path)
    {
        _producers.Clear();
        if (!File.Exists(path))
        {
            return false;
        }

        var bytes = File.ReadAllBytes(path);
        if (bytes.Length < 12 || Records.Crc32C.Compute(bytes.AsSpan(0, bytes.Length - 4)) != BitConverter.ToUInt32(bytes, bytes.Length - 4))
        {
            return false;
        }

        try
        {
            using var reader = new BinaryReader(new MemoryStream(bytes, 0, bytes.Length - 4));
            var version = reader.ReadInt32();
            if (version is not (1 or SnapshotVersion))
            {
                return false;
            }

            var producers = reader.ReadInt32();
            for (var i = 0; i < producers; i++)
            {
                var pid = reader.ReadInt64();
                var entry = new ProducerStateEntry(reader.ReadInt16());
                var lastAppendMs = reader.ReadInt64();
                entry.CoordinatorEpoch = version >= 2 ? reader.ReadInt32() : -1;
                entry.Touch(lastAppendMs);
                var batches = reader.ReadInt32();
                for (var j = 0; j < batches; j++)
                {
                    entry.Add(new BatchMetadata(reader.ReadInt32(), reader.ReadInt32(), reader.ReadInt64(), reader.ReadInt64(), reader.ReadInt64()), lastAppendMs);
                }

                _producers[pid] = entry;
            }

            return true;
        }
        catch (EndOfStreamException)
        {
            _producers.Clear();
            return false;
        }
    }

    private sealed class ProducerStateEntry(short epoch)
    {
        private readonly Queue<BatchMetadata> _batches = new();

        public short Epoch { get; } = epoch;

        public IEnumerable<BatchMetadata> Batches => _batches;

        public int LastSequence { get; private set; } = -1;

        public long LastAppendMs { get; private set; }

        /// <summary>The coordinator epoch of the producer's last marker here (-1: none yet).</summary>
        public int CoordinatorEpoch { get; set; } = -1;

        public void Touch(long appendTimeMs) => LastAppendMs = Math.Max(LastAppendMs, appendTimeMs);

        public void Add(BatchMetadata batch, long appendTimeMs)
        {
            _batches.Enqueue(batch);
            if (_batches.Count > BatchesToRetain)
            {
                _batches.Dequeue();
            }

            LastSequence = batch.LastSequence;
            LastAppendMs = Math.Max(LastAppendMs, appendTimeMs);
        }
    }
}

/// <summary>What the log remembers of an appended idempotent batch.</summary>
internal readonly record struct BatchMetadata(int FirstSequence, int LastSequence, long FirstOffset, long LastOffset, long Timestamp);

/// <summary>The outcome of checking a batch against its producer's state.</summary>
internal readonly record struct ProducerCheck(ErrorCode Error, string? Message, BatchMetadata? DuplicateOf)
{
    public static ProducerCheck Accept => default;

    public static ProducerCheck Reject(ErrorCode error, string message) => new(error, message, null);

    public static ProducerCheck Duplicate(BatchMetadata original) => new(ErrorCode.None, null, original);
}
