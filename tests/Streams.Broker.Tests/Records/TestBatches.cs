using System.Buffers.Binary;
using System.Text;
using Streams.Broker.Records;

namespace Streams.Broker.Tests.Records;

/// <summary>Hand-assembled batches for the malformed shapes the builder refuses to make.</summary>
internal static class TestBatches
{
    public static byte[] Bytes(string text) => Encoding.UTF8.GetBytes(text);

    public static byte[] SimpleBatch(int records = 3, CompressionType compression = CompressionType.None)
    {
        var builder = new RecordBatchBuilder(compression: compression);
        for (var i = 0; i < records; i++)
        {
            builder.Add(1_000 + i, Bytes($"key-{i}"), Bytes($"value-{i}"));
        }

        return builder.Build();
    }

    /// <summary>Encodes one record by hand; <paramref name="lengthAdjust"/> skews its Length field.</summary>
    public static byte[] EncodeRecord(int offsetDelta, byte[]? key, byte[]? value, long timestampDelta = 0, int lengthAdjust = 0)
    {
        var body = new List<byte> { 0 };
        Append(body, w => Varint.WriteVarlong(w, timestampDelta));
        Append(body, w => Varint.WriteVarint(w, offsetDelta));
        AppendBytes(body, key);
        AppendBytes(body, value);
        Append(body, w => Varint.WriteVarint(w, 0));

        var record = new List<byte>();
        Append(record, w => Varint.WriteVarint(w, body.Count + lengthAdjust));
        record.AddRange(body);
        return [.. record];
    }

    /// <summary>Wraps record bytes in a header with whatever counts the test wants, and a correct CRC.</summary>
    public static byte[] Assemble(ReadOnlySpan<byte> records, int recordsCount, int lastOffsetDelta,
        CompressionType compression = CompressionType.None, short extraAttributes = 0,
        long producerId = -1, int baseSequence = -1)
    {
        var batch = new byte[RecordBatchHeader.Size + records.Length];
        var span = batch.AsSpan();
        BinaryPrimitives.WriteInt32BigEndian(span[RecordBatchHeader.LengthOffset..], batch.Length - RecordBatchHeader.LogOverhead);
        span[RecordBatchHeader.MagicOffset] = 2;
        BinaryPrimitives.WriteInt16BigEndian(span[RecordBatchHeader.AttributesOffset..], (short)((byte)compression | (ushort)extraAttributes));
        BinaryPrimitives.WriteInt32BigEndian(span[RecordBatchHeader.LastOffsetDeltaOffset..], lastOffsetDelta);
        BinaryPrimitives.WriteInt64BigEndian(span[RecordBatchHeader.BaseTimestampOffset..], 1_000);
        BinaryPrimitives.WriteInt64BigEndian(span[RecordBatchHeader.MaxTimestampOffset..], 1_000);
        BinaryPrimitives.WriteInt64BigEndian(span[RecordBatchHeader.ProducerIdOffset..], producerId);
        BinaryPrimitives.WriteInt16BigEndian(span[RecordBatchHeader.ProducerEpochOffset..], (short)(producerId >= 0 ? 0 : -1));
        BinaryPrimitives.WriteInt32BigEndian(span[RecordBatchHeader.BaseSequenceOffset..], baseSequence);
        BinaryPrimitives.WriteInt32BigEndian(span[RecordBatchHeader.RecordsCountOffset..], recordsCount);
        records.CopyTo(span[RecordBatchHeader.RecordsOffset..]);
        Reseal(batch);
        return batch;
    }

    /// <summary>Recomputes the CRC after a test edits bytes it covers, so only the intended defect remains.</summary>
    public static byte[] Reseal(byte[] batch)
    {
        BinaryPrimitives.WriteUInt32BigEndian(batch.AsSpan(RecordBatchHeader.CrcOffset), RecordBatchHeader.ComputeCrc(batch));
        return batch;
    }

    private static void Append(List<byte> target, Func<byte[], int> write)
    {
        var buffer = new byte[10];
        var written = write(buffer);
        target.AddRange(buffer.AsSpan(0, written).ToArray());
    }

    private static void AppendBytes(List<byte> target, byte[]? bytes)
    {
        Append(target, w => Varint.WriteVarint(w, bytes?.Length ?? -1));
        if (bytes is not null)
        {
            target.AddRange(bytes);
        }
    }
}
