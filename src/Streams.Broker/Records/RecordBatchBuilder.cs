using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace Streams.Broker.Records;

/// <summary>
/// Builds one valid magic-2 batch: for tests, and for records the broker writes itself (internal topics, markers).
/// Offset deltas run 0..n-1 and BaseTimestamp is the first record's timestamp, as the Java producer writes them.
/// </summary>
internal sealed class RecordBatchBuilder
{
    private readonly long _baseOffset;
    private readonly long _producerId;
    private readonly short _producerEpoch;
    private readonly int _baseSequence;
    private readonly short _attributes;
    private readonly CompressionType _compression;
    private readonly ArrayBufferWriter<byte> _records = new();
    private int _count;
    private long _baseTimestamp;
    private long _maxTimestamp = -1;

    public RecordBatchBuilder(
        long baseOffset = 0,
        long producerId = -1,
        short producerEpoch = -1,
        int baseSequence = -1,
        bool isTransactional = false,
        bool isControl = false,
        CompressionType compression = CompressionType.None)
    {
        if (compression > CompressionType.Zstd)
        {
            throw new ArgumentOutOfRangeException(nameof(compression), compression, "Not a compression codec.");
        }

        _baseOffset = baseOffset;
        _producerId = producerId;
        _producerEpoch = producerEpoch;
        _baseSequence = baseSequence;
        _compression = compression;
        _attributes = (short)((byte)compression
            | (isTransactional ? RecordBatchHeader.TransactionalFlagMask : 0)
            | (isControl ? RecordBatchHeader.ControlFlagMask : 0));
    }

    public int Count => _count;

    /// <summary>
    /// Appends a record. A null <paramref name="key"/> or <paramref name="value"/> is encoded as null (length -1);
    /// note that a null <c>byte[]</c> converts to an empty memory, not to null.
    /// </summary>
    public RecordBatchBuilder Add(long timestamp, ReadOnlyMemory<byte>? key, ReadOnlyMemory<byte>? value,
        IEnumerable<RecordHeader>? headers = null)
    {
        if (_count == 0)
        {
            _baseTimestamp = timestamp;
        }

        var headerList = headers?.ToArray() ?? [];
        var timestampDelta = timestamp - _baseTimestamp;
        var offsetDelta = _count;

        var bodySize = 1 + Varint.SizeOfVarlong(timestampDelta) + Varint.SizeOfVarint(offsetDelta)
            + SizeOfBytes(key) + SizeOfBytes(value) + Varint.SizeOfVarint(headerList.Length);
        foreach (var header in headerList)
        {
            var keyBytes = Encoding.UTF8.GetByteCount(header.Key);
            bodySize += Varint.SizeOfVarint(keyBytes) + keyBytes + SizeOfBytes(header.Value);
        }

        var span = _records.GetSpan(Varint.SizeOfVarint(bodySize) + bodySize);
        var pos = Varint.WriteVarint(span, bodySize);
        span[pos++] = 0;
        pos += Varint.WriteVarlong(span[pos..], timestampDelta);
        pos += Varint.WriteVarint(span[pos..], offsetDelta);
        pos += WriteBytes(span[pos..], key);
        pos += WriteBytes(span[pos..], value);
        pos += Varint.WriteVarint(span[pos..], headerList.Length);
        foreach (var header in headerList)
        {
            var keyBytes = Encoding.UTF8.GetByteCount(header.Key);
            pos += Varint.WriteVarint(span[pos..], keyBytes);
            pos += Encoding.UTF8.GetBytes(header.Key, span[pos..]);
            pos += WriteBytes(span[pos..], header.Value);
        }

        _records.Advance(pos);
        _count++;
        _maxTimestamp = Math.Max(_maxTimestamp, timestamp);
        return this;
    }

    /// <summary>Lays out the header, compresses the records if a codec was chosen, and seals the batch with its CRC.</summary>
    public byte[] Build()
    {
        if (_count == 0)
        {
            throw new InvalidOperationException("A record batch needs at least one record.");
        }

        var payload = _compression == CompressionType.None
            ? _records.WrittenSpan
            : RecordCompression.Compress(_compression, _records.WrittenSpan);

        var batch = new byte[RecordBatchHeader.Size + payload.Length];
        var span = batch.AsSpan();
        BinaryPrimitives.WriteInt64BigEndian(span[RecordBatchHeader.BaseOffsetOffset..], _baseOffset);
        BinaryPrimitives.WriteInt32BigEndian(span[RecordBatchHeader.LengthOffset..], batch.Length - RecordBatchHeader.LogOverhead);
        BinaryPrimitives.WriteInt32BigEndian(span[RecordBatchHeader.PartitionLeaderEpochOffset..], -1);
        span[RecordBatchHeader.MagicOffset] = (byte)RecordBatchHeader.CurrentMagic;
        BinaryPrimitives.WriteInt16BigEndian(span[RecordBatchHeader.AttributesOffset..], _attributes);
        BinaryPrimitives.WriteInt32BigEndian(span[RecordBatchHeader.LastOffsetDeltaOffset..], _count - 1);
        BinaryPrimitives.WriteInt64BigEndian(span[RecordBatchHeader.BaseTimestampOffset..], _baseTimestamp);
        BinaryPrimitives.WriteInt64BigEndian(span[RecordBatchHeader.MaxTimestampOffset..], _maxTimestamp);
        BinaryPrimitives.WriteInt64BigEndian(span[RecordBatchHeader.ProducerIdOffset..], _producerId);
        BinaryPrimitives.WriteInt16BigEndian(span[RecordBatchHeader.ProducerEpochOffset..], _producerEpoch);
        BinaryPrimitives.WriteInt32BigEndian(span[RecordBatchHeader.BaseSequenceOffset..], _baseSequence);
        BinaryPrimitives.WriteInt32BigEndian(span[RecordBatchHeader.RecordsCountOffset..], _count);
        payload.CopyTo(span[RecordBatchHeader.RecordsOffset..]);
        BinaryPrimitives.WriteUInt32BigEndian(span[RecordBatchHeader.CrcOffset..], RecordBatchHeader.ComputeCrc(span));
        return batch;
    }

    private static int SizeOfBytes(ReadOnlyMemory<byte>? bytes) =>
        bytes is { } b ? Varint.SizeOfVarint(b.Length) + b.Length : Varint.SizeOfVarint(-1);

    private static int WriteBytes(Span<byte> destination, ReadOnlyMemory<byte>? bytes)
    {
        if (bytes is not { } b)
        {
            return Varint.WriteVarint(destination, -1);
        }

        var written = Varint.WriteVarint(destination, b.Length);
        b.Span.CopyTo(destination[written..]);
        return written + b.Length;
    }
}
