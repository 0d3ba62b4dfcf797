using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;
using Streams.Broker.Configs;
using Streams.Broker.Producers;
using Streams.Broker.Protocol;
using Streams.Broker.Records;

namespace Streams.Broker.Storage;

/// <summary>
/// One partition as the request handlers see it: validation, idempotence checks and appends under one lock,
/// lock-free reads, and a signal that wakes long-polling fetches as soon as data arrives.
/// </summary>
internal sealed partial class Partition : IDisposable
{
    private readonly Lock _lock = new();
    private readonly Topic _topic;
    private readonly TimeProvider _time;
    private readonly ProducerStateManager _producers = new();
    private readonly PartitionTransactions _transactions = new();
    private TaskCompletionSource _dataArrived = NewSignal();

    public Partition(Topic topic, int index, string directory, ILogger logger, TimeProvider time)
    {
        _topic = topic;
        Index = index;
        _time = time;
        var snapshot = Path.Combine(directory, ProducerSnapshotFile);
        Log = Log.Open(
            directory,
            topic.Config,
            logger,
            time,
            batch => _producers.Update(batch, time.GetUtcNow().ToUnixTimeMilliseconds()),
            offset => _producers.TryLoadSnapshot(offset is { } o ? RollSnapshotPath(directory, o) : snapshot),
            offset => WriteRollSnapshot(directory, offset));

        // Only a clean shutdown writes it, and only with the clean marker does it describe the log: remove it so a
        // crash later cannot pair a stale snapshot with a newer log.
        File.Delete(snapshot);

        _transactionsMarker = Path.Combine(directory, TransactionsMarkerFile);
        _hasTransactions = File.Exists(_transactionsMarker);
        if (_hasTransactions)
        {
            RebuildTransactions();
        }
    }

    /// <summary>
    /// Present once a transactional batch was ever appended here: only such partitions pay for the scan on start that
    /// rebuilds the open and aborted transactions (<see cref="RebuildTransactions"/>).
    /// </summary>
    private const string TransactionsMarkerFile = "has-transactions";

    private readonly string _transactionsMarker;
    private bool _hasTransactions;

    /// <summary>
    /// Rebuilds the last stable offset and the aborted-transaction list from the log: every transactional batch
    /// header is read, and the one record of each control batch tells COMMIT from ABORT. This stands in for Kafka's
    /// per-segment .txnindex files: simpler, at the price of a header walk of the partition's whole log on start.
    /// </summary>
    private void RebuildTransactions()
    {
        foreach (var (segment, position, header) in Log.AllBatches())
        {
            if (!header.IsTransactional || header.LastOffset < Log.LogStartOffset)
            {
                continue;
            }

            if (!header.IsControl)
            {
                _transactions.OnTransactionalBatch(header.ProducerId, header.BaseOffset);
                continue;
            }

            if (ReadMarker(segment, position, header) is { } marker)
            {
                _producers.OnMarker(header.ProducerId, header.ProducerEpoch, header.MaxTimestamp, marker.CoordinatorEpoch);
                _transactions.OnMarker(header.ProducerId, marker.Commit, header.BaseOffset);
            }
        }
    }

    /// <summary>The marker type of a control batch (true = COMMIT, false = ABORT); null when it is not a marker.</summary>
    internal static bool? ReadControlType(LogSegment segment, long position, RecordBatchHeader header) => ReadMarker(segment, position, header)?.Commit;

    /// <summary>
    /// A control batch's marker: its type (key: version + type) and the coordinator epoch in its value (version +
    /// int32; -1 when the value is too short to hold one); null when the batch is not a marker.
    /// </summary>
    internal static (bool Commit, int CoordinatorEpoch)? ReadMarker(LogSegment segment, long position, RecordBatchHeader header)
    {
        var bytes = new byte[header.TotalSize];
        if (segment.Read(position, bytes) != bytes.Length)
        {
            return null;
        }

        var cursor = new RecordCursor(bytes.AsSpan(RecordBatchHeader.RecordsOffset));
        if (!cursor.TryRead(out var record, out _, out _) || !record.HasKey || record.Key.Length < 4)
        {
            return null;
        }

        bool? commit = System.Buffers.Binary.BinaryPrimitives.ReadInt16BigEndian(record.Key[2..]) switch
        {
            0 => false,
            1 => true,
            _ => null,
        };
        var coordinatorEpoch = record.HasValue && record.Value.Length >= 6 ? System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(record.Value[2..]) : -1;
        return commit is { } type ? (type, coordinatorEpoch) : null;
    }

    /// <summary>Producer state as of a clean shutdown, so the next start need not replay every batch.</summary>
    private const string ProducerSnapshotFile = "producer-state.snapshot";

    private const string RollSnapshotExtension = ".producer-snapshot";

    private static string RollSnapshotPath(string directory, long offset) => LogSegment.FilePath(directory, offset, RollSnapshotExtension);

    /// <summary>
    /// At each roll (partition lock held): producer state as of the new segment's base offset, so recovery after a
    /// crash replays only the segments from there. The two newest are kept (the newest segment may be the one cut
    /// or quarantined by recovery).
    /// </summary>
    private void WriteRollSnapshot(string directory, long offset)
    {
        _producers.WriteSnapshot(RollSnapshotPath(directory, offset));
        foreach (var old in System.IO.Directory.GetFiles(directory, "*" + RollSnapshotExtension).Order(StringComparer.Ordinal).SkipLast(2))
        {
            File.Delete(old);
        }
    }

    public int Index { get; }

    public string TopicName => _topic.Name;

    public Log Log { get; }

    public long HighWatermark => Log.LogEndOffset;

    /// <summary>
    /// The last stable offset: the first offset of the oldest open transaction, or the high watermark when none is
    /// open. read_committed fetches stop here.
    /// </summary>
    public long LastStableOffset => Math.Min(_transactions.FirstUnstableOffset, Log.LogEndOffset);

    /// <summary>The aborted transactions a read_committed fetch of [from, upTo) must report.</summary>
    public IReadOnlyList<AbortedTransaction> AbortedTransactions(long from, long upTo) => _transactions.AbortedIn(from, upTo);

    public long LogStartOffset => Log.LogStartOffset;

    /// <summary>Completes at the next append; grab it before reading so no append is missed.</summary>
    public Task DataArrived => Volatile.Read(ref _dataArrived).Task;

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>
    /// Validates and appends the single batch of a produce request. The batch bytes are rewritten in place (base
    /// offset, leader epoch, LogAppendTime), so <paramref name="records"/> must be a buffer the caller owns.
    /// </summary>
    public AppendResult Append(ReadOnlyMemory<byte> records, bool allowZstd)
    {
        var config = _topic.Config;
        var options = new BatchValidationOptions(config.MaxMessageBytes, config.Compact, allowZstd);
        if (!config.LogAppendTime)
        {
            // LogAppendTime topics overwrite the timestamps, so only CreateTime ones are checked.
            var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
            options = options with
            {
                MinTimestamp = now - config.TimestampBeforeMaxMs,
                MaxTimestamp = config.TimestampAfterMaxMs > long.MaxValue - now ? long.MaxValue : now + config.TimestampAfterMaxMs,
            };
        }

        var validation = RecordBatchValidator.Validate(records.Span, options);
        if (validation.Error != ErrorCode.None)
        {
            return AppendResult.Failed(validation.Error, validation.Message) with { RecordErrors = validation.RecordErrors };
        }

        if (validation.Header.IsControl)
        {
            // Only the transaction coordinator writes markers (WriteTransactionMarker); a client's would end a transaction behind its back.
            return AppendResult.Failed(ErrorCode.InvalidRecord, "Control batches are written by the broker only");
        }

        var batch = MemoryMarshal.AsMemory(records).Span;
        long appendTime;
        RecordBatchHeader header;
        lock (_lock)
        {
            header = validation.Header;
            var check = _producers.Check(header);
            if (check.Error != ErrorCode.None)
            {
                return AppendResult.Failed(check.Error, check.Message);
            }

            if (check.DuplicateOf is { } original)
            {
                return new AppendResult(ErrorCode.None, null, original.FirstOffset, config.LogAppendTime ? original.Timestamp : -1, Log.LogStartOffset);
            }

            appendTime = _time.GetUtcNow().ToUnixTimeMilliseconds();
            RecordBatchHeader.SetBaseOffset(batch, Log.LogEndOffset);
            RecordBatchHeader.SetPartitionLeaderEpoch(batch, 0);
            if (config.LogAppendTime)
            {
                RecordBatchHeader.SetLogAppendTime(batch, appendTime);
            }

            header = RecordBatchHeader.Read(batch);
            if (header.IsTransactional && !_hasTransactions)
            {
                // Before the first transactional batch is in the log: a restart must know to rebuild the transactions.
                File.WriteAllBytes(_transactionsMarker, []);
                _hasTransactions = true;
            }

            Log.Append(batch, header, config);
            _producers.Update(header, appendTime);
            if (header.IsTransactional)
            {
                _transactions.OnTransactionalBatch(header.ProducerId, header.BaseOffset);
            }
        }

        Interlocked.Exchange(ref _dataArrived, NewSignal()).TrySetResult();
        return new AppendResult(ErrorCode.None, null, header.BaseOffset, config.LogAppendTime ? appendTime : -1, Log.LogStartOffset);
    }

    /// <summary>
    /// Writes the COMMIT or ABORT marker that ends the producer's transaction here: a control batch (transactional and
    /// control bits set) of one record whose key is version 0 + type (0 abort, 1 commit) and whose value is version 0
    /// + the coordinator epoch. The marker's epoch fences older epochs of the producer at this partition too.
    /// </summary>
    public AppendResult WriteTransactionMarker(long producerId, short producerEpoch, bool commit, int coordinatorEpoch)
    {
        var key = new byte[4];
        System.Buffers.Binary.BinaryPrimitives.WriteInt16BigEndian(key.AsSpan(2), commit ? (short)1 : (short)0);
        var value = new byte[6];
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(value.AsSpan(2), coordinatorEpoch);
        long appendTime;
        RecordBatchHeader header;
        lock (_lock)
        {
            appendTime = _time.GetUtcNow().ToUnixTimeMilliseconds();
            var batch = new RecordBatchBuilder(Log.LogEndOffset, producerId, producerEpoch, -1, isTransactional: true, isControl: true)
                .Add(appendTime, key, value)
                .Build();
            RecordBatchHeader.SetPartitionLeaderEpoch(batch, 0);
            header = RecordBatchHeader.Read(batch);
            Log.Append(batch, header, _topic.Config);
            _producers.OnMarker(producerId, producerEpoch, appendTime, coordinatorEpoch);
            _transactions.OnMarker(producerId, commit, header.BaseOffset);
        }

        Interlocked.Exchange(ref _dataArrived, NewSignal()).TrySetResult();
        return new AppendResult(ErrorCode.None, null, header.BaseOffset, -1, Log.LogStartOffset);
    }

    /// <summary>DeleteRecords: moves the log start offset up to <paramref name="offset"/> (-1 = high watermark).</summary>
    public (ErrorCode Error, long LowWatermark) DeleteRecordsBefore(long offset)
    {
        lock (_lock)
        {
            var target = offset == -1 ? HighWatermark : offset;
            if (target < 0 || target > HighWatermark)
            {
                return (ErrorCode.OffsetOutOfRange, -1);
            }

            Log.AdvanceLogStartOffset(target);
            return (ErrorCode.None, Log.LogStartOffset);
        }
    }

    /// <summary>ListOffsets' special timestamps.</summary>
    public const long ListOffsetsLatest = -1;

    public const long ListOffsetsEarliest = -2;

    public const long ListOffsetsMaxTimestamp = -3;

    /// <summary>
    /// ListOffsets' lookup (Kafka's fetchOffsetForTimestamp): -1 latest (the LSO for read_committed, else the high watermark),
    /// -2 earliest, -3 the record with the largest timestamp, otherwise the first record whose timestamp is at or
    /// after <paramref name="timestamp"/>. Timestamp and offset are -1 when no record qualifies.
    /// </summary>
    public (ErrorCode Error, long Timestamp, long Offset) FetchOffsetForTimestamp(long timestamp, bool readCommitted = true)
    {
        switch (timestamp)
        {
            case ListOffsetsLatest:
                return (ErrorCode.None, -1, readCommitted ? LastStableOffset : HighWatermark);
            case ListOffsetsEarliest:
                return (ErrorCode.None, -1, LogStartOffset);
            case ListOffsetsMaxTimestamp:
                return Log.FetchMaxTimestampOffset() is { } max ? (ErrorCode.None, max.Timestamp, max.Offset) : (ErrorCode.None, -1, -1);
            case < 0:
                return (ErrorCode.InvalidRequest, -1, -1);
            default:
                return Log.FetchOffsetByTimestamp(timestamp) is { } found ? (ErrorCode.None, found.Timestamp, found.Offset) : (ErrorCode.None, -1, -1);
        }
    }

    /// <summary>Background upkeep: retention, <c>flush.ms</c>, producer expiry. Returns segments whose files can go.</summary>
    public IReadOnlyList<LogSegment> Maintain(bool applyRetention, long producerExpirationMs)
    {
        var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        var config = _topic.Config;
        lock (_lock)
        {
            Log.FlushIfDue(config, now);
            if (!applyRetention)
            {
                return [];
            }

            _producers.ExpireIdle(now, producerExpirationMs, _transactions.IsOpen);
            var removed = Log.ApplyRetention(config, now);
            _transactions.TrimBefore(Log.LogStartOffset);
            return removed;
        }
    }

    /// <summary>Closes handles of rolled segments idle for <paramref name="idleMs"/>.</summary>
    public int ReleaseIdleHandles(long idleMs) => Log.ReleaseIdleHandles(idleMs);

    public void Close()
    {
        lock (_lock)
        {
            // Before the log's clean marker: a snapshot is only trusted next to one.
            _producers.WriteSnapshot(Path.Combine(Log.Directory, ProducerSnapshotFile));
            Log.Close();
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            Log.Dispose();
        }
    }
}

/// <summary>Outcome of appending one partition's batch.</summary>
internal readonly record struct AppendResult(ErrorCode Error, string? Message, long BaseOffset, long LogAppendTime, long LogStartOffset)
{
    /// <summary>The records that got the batch refused (KIP-467), when the fault was theirs.</summary>
    public IReadOnlyList<RecordError>? RecordErrors { get; init; }

    public static AppendResult Failed(ErrorCode error, string? message) => new(error, message, -1, -1, -1);
}
