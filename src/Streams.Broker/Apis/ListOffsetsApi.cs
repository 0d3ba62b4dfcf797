using System.Buffers;
using Streams.Broker.Protocol;
using Streams.Broker.Records;
using Streams.Broker.Storage;

namespace Streams.Broker.Apis;

/// <summary>
/// ListOffsets (2), v1-7: v2 IsolationLevel, v4 CurrentLeaderEpoch and LeaderEpoch, v6 flexible, v7 MAX_TIMESTAMP.
/// Timestamps: -1 latest (the LSO under read_committed), -2 earliest, -3 the record with the largest timestamp,
/// otherwise the first record whose timestamp is at or after the one given.
/// </summary>
internal sealed class ListOffsetsApi : ApiHandler
{
    private const long Latest = -1;
    private const long Earliest = -2;
    private const long MaxTimestamp = -3;

    public override ApiKey Key => ApiKey.ListOffsets;

    public override short MinVersion => 1;

    public override short MaxVersion => 7;

    public override short FirstFlexibleVersion => 6;

    public override ValueTask HandleAsync(RequestContext context, KafkaReader request, KafkaWriter response)
    {
        var version = context.ApiVersion;
        request.ReadInt32(); // replica id
        if (version >= 2)
        {
            request.ReadInt8(); // isolation level: LSO = HW until transactions exist
        }

        var topics = request.ReadArray((ref KafkaReader t) =>
        {
            var name = t.ReadString();
            var partitions = t.ReadArray((ref KafkaReader p) =>
            {
                var index = p.ReadInt32();
                if (version >= 4)
                {
                    p.ReadInt32();
                }

                var timestamp = p.ReadInt64();
                p.SkipTaggedFields();
                return (Index: index, Timestamp: timestamp);
            });
            t.SkipTaggedFields();
            return (Name: name, Partitions: partitions);
        });
        request.SkipTaggedFields();

        if (version >= 2)
        {
            response.WriteInt32(0);
        }

        response.WriteArrayLength(topics.Count);
        foreach (var (name, partitions) in topics)
        {
            response.WriteString(name);
            response.WriteArrayLength(partitions.Count);
            foreach (var (index, timestamp) in partitions)
            {
                var partition = context.Broker.Logs.GetPartition(name, index);
                var (error, foundTimestamp, offset) = partition is null
                    ? (ErrorCode.UnknownTopicOrPartition, -1L, -1L)
                    : Lookup(partition, timestamp);
                response.WriteInt32(index);
                response.WriteErrorCode(error);
                response.WriteInt64(foundTimestamp);
                response.WriteInt64(offset);
                if (version >= 4)
                {
                    response.WriteInt32(error == ErrorCode.None ? 0 : -1);
                }

                response.WriteTaggedFields();
            }

            response.WriteTaggedFields();
        }

        response.WriteTaggedFields();
        return ValueTask.CompletedTask;
    }

    private static (ErrorCode Error, long Timestamp, long Offset) Lookup(Partition partition, long timestamp)
    {
        switch (timestamp)
        {
            case Latest:
                return (ErrorCode.None, -1, partition.LastStableOffset);
            case Earliest:
                return (ErrorCode.None, -1, partition.LogStartOffset);
            case MaxTimestamp:
                return FindMaxTimestamp(partition);
            case < 0:
                return (ErrorCode.InvalidRequest, -1, -1);
        }

        foreach (var (segment, position, header) in partition.Log.BatchesFromTimestamp(timestamp))
        {
            if (header.MaxTimestamp < timestamp || header.LastOffset < partition.LogStartOffset)
            {
                continue;
            }

            var (offset, recordTimestamp) = WithBatch(segment, position, header, batch =>
            {
                var found = RecordBatchReader.FirstOffsetAtOrAfterTimestamp(batch, timestamp, out var ts);
                return (found, ts);
            });
            if (offset >= 0)
            {
                return (ErrorCode.None, recordTimestamp, Math.Max(offset, partition.LogStartOffset));
            }
        }

        return (ErrorCode.None, -1, -1);
    }

    private static (ErrorCode Error, long Timestamp, long Offset) FindMaxTimestamp(Partition partition)
    {
        (LogSegment Segment, long Position, RecordBatchHeader Header)? best = null;
        foreach (var batch in partition.Log.AllBatches())
        {
            if (batch.Header.LastOffset >= partition.LogStartOffset && (best is null || batch.Header.MaxTimestamp > best.Value.Header.MaxTimestamp))
            {
                best = batch;
            }
        }

        if (best is not { } b)
        {
            return (ErrorCode.None, -1, -1);
        }

        var (offset, timestamp) = WithBatch(b.Segment, b.Position, b.Header, RecordBatchReader.MaxTimestampRecord);
        return (ErrorCode.None, timestamp, offset);
    }

    private static T WithBatch<T>(LogSegment segment, long position, RecordBatchHeader header, BatchFunc<T> read)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(header.TotalSize);
        try
        {
            var span = buffer.AsSpan(0, header.TotalSize);
            segment.Read(position, span);
            return read(span);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private delegate T BatchFunc<out T>(ReadOnlySpan<byte> batch);
}
