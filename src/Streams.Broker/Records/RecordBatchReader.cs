using System.Text;

namespace Streams.Broker.Records;

/// <summary>
/// Decodes stored (already validated) batches: full records for compaction and internal topics, and allocation-free
/// scans for timestamp lookups. Malformed data throws <see cref="InvalidDataException"/>.
/// </summary>
internal static class RecordBatchReader
{
    public static IReadOnlyList<Record> ReadRecords(ReadOnlySpan<byte> batch)
    {
        using var pooled = OpenRecords(batch, out var header, out var encoded);
        if (header.RecordsCount <= 0 || encoded.IsEmpty)
        {
            return [];
        }

        // One copy backs every key, value and header value of the batch.
        var data = encoded.ToArray();
        var records = new List<Record>(header.RecordsCount);
        var cursor = new RecordCursor(data);
        while (!cursor.AtEnd)
        {
            var record = ReadNext(ref cursor);
            records.Add(new Record(
                header.BaseOffset + record.OffsetDelta,
                TimestampOf(header, record),
                // The casts matter: a bare null would convert to an empty memory through the byte[] operator.
                record.HasKey ? (ReadOnlyMemory<byte>?)SliceOf(data, record.Key) : null,
                record.HasValue ? (ReadOnlyMemory<byte>?)SliceOf(data, record.Value) : null,
                ReadHeaders(data, record)));
        }

        return records;
    }

    /// <summary>ListOffsets by time: the first record whose timestamp is at or after <paramref name="timestamp"/>.</summary>
    /// <returns>Its absolute offset, or -1 when no record in the batch qualifies.</returns>
    public static long FirstOffsetAtOrAfterTimestamp(ReadOnlySpan<byte> batch, long timestamp, out long recordTimestamp)
    {
        recordTimestamp = -1;
        var header = RecordBatchHeader.Read(batch);
        if (header.RecordsCount <= 0 || header.MaxTimestamp < timestamp)
        {
            return -1;
        }

        if (header.IsLogAppendTime)
        {
            recordTimestamp = header.MaxTimestamp;
            return header.BaseOffset;
        }

        using var pooled = OpenRecords(batch, out _, out var encoded);
        var cursor = new RecordCursor(encoded);
        while (!cursor.AtEnd)
        {
            var record = ReadNext(ref cursor);
            var recordTime = header.BaseTimestamp + record.TimestampDelta;
            if (recordTime >= timestamp)
            {
                recordTimestamp = recordTime;
                return header.BaseOffset + record.OffsetDelta;
            }
        }

        return -1;
    }

    /// <summary>The first record carrying the batch's largest timestamp; (-1, -1) for an empty batch.</summary>
    public static (long Offset, long Timestamp) MaxTimestampRecord(ReadOnlySpan<byte> batch)
    {
        var header = RecordBatchHeader.Read(batch);
        if (header.RecordsCount <= 0)
        {
            return (-1, -1);
        }

        if (header.IsLogAppendTime)
        {
            return (header.BaseOffset, header.MaxTimestamp);
        }

        using var pooled = OpenRecords(batch, out _, out var encoded);
        var cursor = new RecordCursor(encoded);
        (long Offset, long Timestamp) best = (-1, -1);
        while (!cursor.AtEnd)
        {
            var record = ReadNext(ref cursor);
            var recordTime = header.BaseTimestamp + record.TimestampDelta;
            if (best.Offset < 0 || recordTime > best.Timestamp)
            {
                best = (header.BaseOffset + record.OffsetDelta, recordTime);
            }
        }

        return best;
    }

    /// <summary>The batch's record bytes, decompressed into a pooled buffer (returned for disposal) when needed.</summary>
    internal static PooledBuffer? OpenRecords(ReadOnlySpan<byte> batch, out RecordBatchHeader header, out ReadOnlySpan<byte> encoded)
    {
        header = RecordBatchHeader.Read(batch);
        if (header.TotalSize < RecordBatchHeader.Size || header.TotalSize > batch.Length)
        {
            throw new InvalidDataException($"Record batch Length {header.Length} does not fit the {batch.Length} bytes given.");
        }

        var body = batch[RecordBatchHeader.RecordsOffset..header.TotalSize];
        if (header.Compression == CompressionType.None)
        {
            encoded = body;
            return null;
        }

        var pooled = RecordCompression.Decompress(header.Compression, body);
        encoded = pooled.Span;
        return pooled;
    }

    /// <summary>The next record of a stored batch; a malformed one is an <see cref="InvalidDataException"/>.</summary>
    internal static RawRecord ReadNext(ref RecordCursor cursor)
    {
        if (!cursor.TryRead(out var record, out var error, out var problem))
        {
            throw new InvalidDataException($"Stored record batch is malformed ({error}): {problem}.");
        }

        return record;
    }

    private static long TimestampOf(in RecordBatchHeader header, RawRecord record) =>
        header.IsLogAppendTime ? header.MaxTimestamp : header.BaseTimestamp + record.TimestampDelta;

    private static IReadOnlyList<RecordHeader> ReadHeaders(byte[] data, RawRecord record)
    {
        if (record.HeaderCount == 0)
        {
            return [];
        }

        // The cursor already checked this framing, so the reads below cannot fail.
        var headers = new RecordHeader[record.HeaderCount];
        var encoded = record.Headers;
        var pos = 0;
        for (var i = 0; i < headers.Length; i++)
        {
            Varint.ReadVarint(encoded, ref pos, out var keyLength);
            var key = Encoding.UTF8.GetString(encoded.Slice(pos, keyLength));
            pos += keyLength;
            Varint.ReadVarint(encoded, ref pos, out var valueLength);
            ReadOnlyMemory<byte>? value = null;
            if (valueLength >= 0)
            {
                value = SliceOf(data, encoded.Slice(pos, valueLength));
                pos += valueLength;
            }

            headers[i] = new RecordHeader(key, value);
        }

        return headers;
    }

    private static ReadOnlyMemory<byte> SliceOf(byte[] data, ReadOnlySpan<byte> part) =>
        part.IsEmpty
            ? ReadOnlyMemory<byte>.Empty
            : data.AsSpan().Overlaps(part, out var start)
                ? data.AsMemory(start, part.Length)
                : throw new InvalidOperationException("Record field does not lie in the batch buffer.");
}
