using Streams.Broker.Protocol;

namespace Streams.Broker.Records;

/// <summary>
/// Checks one partition's Records from a ProduceRequest before append, following Kafka's <c>LogValidator</c> and
/// <c>ProduceRequest.validateRecords</c>. Cheap header checks run first; decoding every record runs last.
/// Never throws: any failure becomes an error code and message.
/// </summary>
internal static class RecordBatchValidator
{
    public static BatchValidationResult Validate(ReadOnlySpan<byte> records, BatchValidationOptions options)
    {
        if (records.IsEmpty)
        {
            return Reject(ErrorCode.InvalidRecord, "Produce requests must carry exactly one record batch; got none.", default);
        }

        if (records.Length < RecordBatchHeader.Size)
        {
            return Reject(ErrorCode.CorruptMessage,
                $"Record batch is truncated: {records.Length} bytes, shorter than the {RecordBatchHeader.Size}-byte header.", default);
        }

        var header = RecordBatchHeader.Read(records);
        if (header.Magic != RecordBatchHeader.CurrentMagic)
        {
            return Reject(ErrorCode.CorruptMessage, $"Record batch magic is {header.Magic}; only magic 2 is accepted.", header);
        }

        var totalSize = (long)header.Length + RecordBatchHeader.LogOverhead;
        if (totalSize < RecordBatchHeader.Size)
        {
            return Reject(ErrorCode.CorruptMessage, $"Record batch Length {header.Length} is smaller than its header.", header);
        }

        if (totalSize > records.Length)
        {
            return Reject(ErrorCode.CorruptMessage,
                $"Record batch is truncated: Length says {totalSize} bytes, the request holds {records.Length}.", header);
        }

        if (totalSize < records.Length)
        {
            return Reject(ErrorCode.InvalidRecord,
                $"Produce requests must carry exactly one record batch; {records.Length - totalSize} bytes follow it.", header);
        }

        if (totalSize > options.MaxMessageBytes)
        {
            return Reject(ErrorCode.MessageTooLarge,
                $"Record batch of {totalSize} bytes exceeds max.message.bytes {options.MaxMessageBytes}.", header);
        }

        var crc = RecordBatchHeader.ComputeCrc(records);
        if (crc != header.Crc)
        {
            return Reject(ErrorCode.CorruptMessage, $"Record batch CRC is 0x{header.Crc:X8} but the data gives 0x{crc:X8}.", header);
        }

        if (header.RecordsCount <= 0)
        {
            return Reject(ErrorCode.InvalidRecord, $"Record batch holds {header.RecordsCount} records; at least one is required.", header);
        }

        if ((long)header.LastOffsetDelta + 1 != header.RecordsCount)
        {
            return Reject(ErrorCode.InvalidRecord,
                $"Record batch LastOffsetDelta {header.LastOffsetDelta} does not match its {header.RecordsCount} records.", header);
        }

        if (header.IsControl)
        {
            return Reject(ErrorCode.InvalidRecord, "Clients may not produce control batches.", header);
        }

        if (header.HasProducerId && header.BaseSequence < 0)
        {
            return Reject(ErrorCode.InvalidRecord,
                $"Record batch has producer id {header.ProducerId} but no base sequence ({header.BaseSequence}).", header);
        }

        var compression = header.Compression;
        if (compression > CompressionType.Zstd)
        {
            return Reject(ErrorCode.CorruptMessage, $"Record batch uses unknown compression codec {(int)compression}.", header);
        }

        if (compression == CompressionType.Zstd && !options.AllowZstd)
        {
            return Reject(ErrorCode.UnsupportedCompressionType, "zstd compression needs Produce version 7 or later.", header);
        }

        var body = records[RecordBatchHeader.RecordsOffset..];
        if (compression == CompressionType.None)
        {
            return CheckRecords(body, header, options);
        }

        PooledBuffer decompressed;
        try
        {
            decompressed = RecordCompression.Decompress(compression, body);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            return Reject(ErrorCode.CorruptMessage,
                $"Record batch {compression} payload could not be decompressed: {ex.Message}", header);
        }

        using (decompressed)
        {
            return CheckRecords(decompressed.Span, header, options);
        }
    }

    private static BatchValidationResult CheckRecords(ReadOnlySpan<byte> data, RecordBatchHeader header, BatchValidationOptions options)
    {
        var cursor = new RecordCursor(data);
        var count = 0;
        List<RecordError>? recordErrors = null;
        var timestampRefused = false;
        while (!cursor.AtEnd)
        {
            if (count == header.RecordsCount)
            {
                return Reject(ErrorCode.InvalidRecord,
                    $"Record batch declares {header.RecordsCount} records but {cursor.Remaining} bytes follow the last one.", header);
            }

            if (!cursor.TryRead(out var record, out var error, out var problem))
            {
                return RejectRecord(error, count, $"Record {count} is malformed: {problem}.", header);
            }

            if (record.OffsetDelta != count)
            {
                return RejectRecord(ErrorCode.InvalidRecord, count,
                    $"Record {count} has offset delta {record.OffsetDelta}; deltas must run 0..{header.RecordsCount - 1} in order.", header);
            }

            // Key and timestamp faults are the records' own: every such record is listed, as Kafka's LogValidator does.
            if (options.RequireKeys && !record.HasKey)
            {
                (recordErrors ??= []).Add(new RecordError(count, $"Record {count} has a null key, which a compacted topic does not accept."));
            }

            var timestamp = header.BaseTimestamp + record.TimestampDelta;
            if (timestamp < options.MinTimestamp || timestamp > options.MaxTimestamp)
            {
                timestampRefused = true;
                (recordErrors ??= []).Add(new RecordError(count,
                    $"Record {count} has timestamp {timestamp}, outside the accepted range [{options.MinTimestamp}, {options.MaxTimestamp}] (message.timestamp.before.max.ms / message.timestamp.after.max.ms)."));
            }

            count++;
        }

        if (count != header.RecordsCount)
        {
            return Reject(ErrorCode.InvalidRecord,
                $"Record batch declares {header.RecordsCount} records but holds {count}.", header);
        }

        if (recordErrors is not null)
        {
            // One timestamp fault makes the whole answer INVALID_TIMESTAMP, as in Kafka.
            var summary = recordErrors.Count == 1 ? recordErrors[0].Message
                : $"{recordErrors.Count} records of the batch were refused; the first: {recordErrors[0].Message}";
            return new BatchValidationResult(timestampRefused ? ErrorCode.InvalidTimestamp : ErrorCode.InvalidRecord, summary, header, recordErrors);
        }

        return new BatchValidationResult(ErrorCode.None, null, header);
    }

    private static BatchValidationResult RejectRecord(ErrorCode error, int index, string message, RecordBatchHeader header) =>
        new(error, message, header, [new RecordError(index, message)]);

    private static BatchValidationResult Reject(ErrorCode error, string message, RecordBatchHeader header) =>
        new(error, message, header);
}
