using System.Text;
using Microsoft.Extensions.Logging;
using Streams.Broker.Groups;
using Streams.Broker.Protocol;
using Streams.Broker.Records;
using Streams.Broker.Storage;

namespace Streams.Broker.Transactions;

/// <summary>
/// Durable transaction state in the internal, compacted topic <c>__transaction_state</c> (one partition, as the offsets
/// topic): key = the transactional id, value = the whole <see cref="TransactionMetadata"/> after each change, so the
/// last record per key is the state to resume from. The value layout is this broker's own (version 0, big-endian):
/// it also carries the pending transactional offsets, which Kafka keeps in <c>__consumer_offsets</c> instead.
/// </summary>
internal sealed partial class TransactionLog(LogManager logs, ILogger logger, TimeProvider time)
{
    public const string TopicName = TopicNames.TransactionState;
    private const short Version = 0;

    private readonly Lock _createLock = new();

    /// <summary>Appends the state of <paramref name="metadata"/> (caller holds its lock). False when it could not be stored.</summary>
    public bool Write(TransactionMetadata metadata)
    {
        var partition = GetOrCreatePartition();
        if (partition is null)
        {
            return false;
        }

        var batch = new RecordBatchBuilder()
            .Add(time.GetUtcNow().ToUnixTimeMilliseconds(), Key(metadata.TransactionalId), Value(metadata))
            .Build();
        try
        {
            var result = partition.Append(batch, allowZstd: false);
            if (result.Error != ErrorCode.None)
            {
                LogWriteFailed(logger, metadata.TransactionalId, result.Error, result.Message);
            }

            return result.Error == ErrorCode.None;
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException)
        {
            LogWriteFailed(logger, metadata.TransactionalId, ErrorCode.KafkaStorageError, ex.Message);
            return false;
        }
    }

    /// <summary>Replays the topic: the last state of every transactional id.</summary>
    public Dictionary<string, TransactionMetadata> Load()
    {
        var states = new Dictionary<string, TransactionMetadata>(StringComparer.Ordinal);
        if (logs.GetPartition(TopicName, 0) is not { } partition)
        {
            return states;
        }

        foreach (var (segment, position, header) in partition.Log.AllBatches())
        {
            if (header.IsControl)
            {
                continue;
            }

            var buffer = new byte[header.TotalSize];
            segment.Read(position, buffer);
            foreach (var record in RecordBatchReader.ReadRecords(buffer))
            {
                if (record.Key is not { } key || record.Value is not { } value || ReadValue(ReadKey(key.Span), value.Span) is not { } metadata)
                {
                    continue;
                }

                states[metadata.TransactionalId] = metadata;
            }
        }

        return states;
    }

    private static byte[] Key(string transactionalId)
    {
        using var buffer = new MemoryStream();
        using (var writer = new BigEndianWriter(buffer))
        {
            writer.Int16(Version);
            writer.String(transactionalId);
        }

        return buffer.ToArray();
    }

    private static string? ReadKey(ReadOnlySpan<byte> key)
    {
        var reader = new BigEndianReader(key.ToArray());
        return reader.Int16() == Version ? reader.String() : null;
    }

    private static byte[] Value(TransactionMetadata m)
    {
        using var buffer = new MemoryStream();
        using (var writer = new BigEndianWriter(buffer))
        {
            writer.Int16(Version);
            writer.Int64(m.ProducerId);
            writer.Int16(m.ProducerEpoch);
            writer.Int32(m.TimeoutMs);
            writer.Byte((byte)m.State);
            writer.Int64(m.StartTimeMs);
            writer.Int64(m.LastUpdateMs);
            writer.Int32(m.Partitions.Count);
            foreach (var p in m.Partitions)
            {
                writer.String(p.Topic);
                writer.Int32(p.Partition);
            }

            writer.Int32(m.PendingOffsets.Count);
            foreach (var (group, offsets) in m.PendingOffsets)
            {
                writer.String(group);
                writer.Int32(offsets.Count);
                foreach (var entry in offsets.Values)
                {
                    writer.String(entry.Topic);
                    writer.Int32(entry.Partition);
                    writer.Int64(entry.Offset);
                    writer.Int32(entry.LeaderEpoch);
                    writer.NullableString(entry.Metadata);
                }
            }
        }

        return buffer.ToArray();
    }

    private static TransactionMetadata? ReadValue(string? transactionalId, ReadOnlySpan<byte> value)
    {
        if (transactionalId is null)
        {
            return null;
        }

        try
        {
            var r = new BigEndianReader(value.ToArray());
            if (r.Int16() != Version)
            {
                return null;
            }

            var m = new TransactionMetadata(transactionalId, r.Int64(), r.Int16(), r.Int32())
            {
                State = (TransactionState)r.Byte(),
                StartTimeMs = r.Int64(),
                LastUpdateMs = r.Int64(),
            };
            for (var i = r.Int32(); i > 0; i--)
            {
                m.Partitions.Add(new TopicPartition(r.String(), r.Int32()));
            }

            for (var i = r.Int32(); i > 0; i--)
            {
                var offsets = m.PendingOffsets[r.String()] = [];
                for (var j = r.Int32(); j > 0; j--)
                {
                    var entry = new OffsetCommitEntry(r.String(), r.Int32(), r.Int64(), r.Int32(), r.NullableString());
                    offsets[new TopicPartition(entry.Topic, entry.Partition)] = entry;
                }
            }

            return m;
        }
        catch (EndOfStreamException)
        {
            return null;
        }
    }

    private Partition? GetOrCreatePartition()
    {
        if (logs.GetPartition(TopicName, 0) is { } existing)
        {
            return existing;
        }

        lock (_createLock)
        {
            if (logs.GetPartition(TopicName, 0) is null)
            {
                var result = logs.CreateTopic(TopicName, 1, new Dictionary<string, string?> { ["cleanup.policy"] = "compact" }, validateOnly: false);
                if (result.Error is not (ErrorCode.None or ErrorCode.TopicAlreadyExists))
                {
                    LogCreateFailed(logger, result.Error, result.Message);
                }
            }

            return logs.GetPartition(TopicName, 0);
        }
    }

    /// <summary>Big-endian primitives over a stream, strings as int16 length + UTF-8 (-1 = null).</summary>
    private sealed class BigEndianWriter(Stream stream) : IDisposable
    {
        private readonly BinaryWriter _writer = new(stream, Encoding.UTF8, leaveOpen: true);

        public void Byte(byte v) => _writer.Write(v);

        public void Int16(short v) => _writer.Write(System.Buffers.Binary.BinaryPrimitives.ReverseEndianness(v));

        public void Int32(int v) => _writer.Write(System.Buffers.Binary.BinaryPrimitives.ReverseEndianness(v));

        public void Int64(long v) => _writer.Write(System.Buffers.Binary.BinaryPrimitives.ReverseEndianness(v));

        public void String(string v)
        {
            var bytes = Encoding.UTF8.GetBytes(v);
            Int16((short)bytes.Length);
            _writer.Write(bytes);
        }

        public void NullableString(string? v)
        {
            if (v is null)
            {
                Int16(-1);
            }
            else
            {
                String(v);
            }
        }

        public void Dispose() => _writer.Dispose();
    }

    private sealed class BigEndianReader(byte[] data)
    {
        private int _position;

        private ReadOnlySpan<byte> Take(int count)
        {
            if (_position + count > data.Length)
            {
                throw new EndOfStreamException();
            }

            var span = data.AsSpan(_position, count);
            _position += count;
            return span;
        }

        public byte Byte() => Take(1)[0];

        public short Int16() => System.Buffers.Binary.BinaryPrimitives.ReadInt16BigEndian(Take(2));

        public int Int32() => System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(Take(4));

        public long Int64() => System.Buffers.Binary.BinaryPrimitives.ReadInt64BigEndian(Take(8));

        public string String() => NullableString() ?? throw new EndOfStreamException();

        public string? NullableString()
        {
            var length = Int16();
            return length < 0 ? null : Encoding.UTF8.GetString(Take(length));
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not store the state of transactional id {TransactionalId}: {Error} {Reason}")]
    private static partial void LogWriteFailed(ILogger logger, string transactionalId, ErrorCode error, string? reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not create __transaction_state: {Error} {Reason}")]
    private static partial void LogCreateFailed(ILogger logger, ErrorCode error, string? reason);
}
