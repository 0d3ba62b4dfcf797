using Streams.Broker.Protocol;
using Streams.Broker.Storage;

namespace Streams.Broker.Apis;

/// <summary>
/// Fetch (1), v4-11: v4 isolation level, LSO and aborted transactions; v5 LogStartOffset; v7 sessions (we never
/// create one: SessionId 0 tells the client to keep sending full requests); v9 CurrentLeaderEpoch; v11 RackId and
/// PreferredReadReplica (always -1). Long polls until MinBytes are available or MaxWaitMs passes, woken by appends.
/// </summary>
internal sealed class FetchApi : ApiHandler
{
    public override ApiKey Key => ApiKey.Fetch;

    public override short MinVersion => 4;

    public override short MaxVersion => 11;

    public override async ValueTask HandleAsync(RequestContext context, KafkaReader request, KafkaWriter response)
    {
        var fetch = Decode(ref request, context.ApiVersion);
        var broker = context.Broker;
        var partitions = fetch.Topics
            .SelectMany(t => t.Partitions.Select(p => (Topic: t.Name, Request: p, Partition: broker.Logs.GetPartition(t.Name, p.Index))))
            .ToList();

        var deadline = broker.Time.GetUtcNow().AddMilliseconds(Math.Max(fetch.MaxWaitMs, 0));
        LogReadSlice?[] slices;
        while (true)
        {
            var signals = partitions.Where(p => p.Partition is not null).Select(p => p.Partition!.DataArrived).ToList();
            (slices, var available, var hasError) = Plan(partitions, fetch.MaxBytes);
            var remaining = deadline - broker.Time.GetUtcNow();
            if (available >= fetch.MinBytes || hasError || remaining <= TimeSpan.Zero || signals.Count == 0)
            {
                break;
            }

            var timeout = Task.Delay(remaining, broker.Time, context.CancellationToken);
            await Task.WhenAny(signals.Append(timeout)).ConfigureAwait(false);
            context.CancellationToken.ThrowIfCancellationRequested();
        }

        Write(response, context.ApiVersion, fetch, partitions, slices);
    }

    /// <summary>
    /// What a fetch would return now: the slice of each partition within the request's limits (KIP-74: the first
    /// partition with data may exceed them by one batch), their total, and whether any partition answers with an
    /// error (which ends the long poll at once). The response is written from this plan, so the log is searched once.
    /// </summary>
    private static (LogReadSlice?[] Slices, long Bytes, bool HasError) Plan(List<(string Topic, FetchPartition Request, Partition? Partition)> partitions, int maxBytes)
    {
        var slices = new LogReadSlice?[partitions.Count];
        long total = 0;
        var hasError = false;
        for (var i = 0; i < partitions.Count; i++)
        {
            var (_, request, partition) = partitions[i];
            if (partition is null || request.FetchOffset < partition.LogStartOffset || request.FetchOffset > partition.HighWatermark)
            {
                hasError = true;
                continue;
            }

            var budget = maxBytes - total;
            if (budget <= 0)
            {
                continue;
            }

            slices[i] = partition.Log.Locate(request.FetchOffset, (int)Math.Min(budget, request.MaxBytes), minOneBatch: total == 0);
            total += slices[i]?.Length ?? 0;
        }

        return (slices, total, hasError);
    }

    private static void Write(KafkaWriter response, short version, FetchRequest fetch, List<(string Topic, FetchPartition Request, Partition? Partition)> partitions, LogReadSlice?[] slices)
    {
        response.WriteInt32(0);
        if (version >= 7)
        {
            response.WriteErrorCode(ErrorCode.None);
            response.WriteInt32(0);
        }

        response.WriteArrayLength(fetch.Topics.Count);
        var index = 0;
        foreach (var topic in fetch.Topics)
        {
            response.WriteString(topic.Name);
            response.WriteArrayLength(topic.Partitions.Count);
            foreach (var request in topic.Partitions)
            {
                WritePartition(response, version, fetch.IsolationLevel, request, partitions[index].Partition, slices[index]);
                index++;
            }
        }
    }

    private static void WritePartition(KafkaWriter response, short version, sbyte isolationLevel, FetchPartition request, Partition? partition, LogReadSlice? slice)
    {
        response.WriteInt32(request.Index);
        var error = partition is null ? ErrorCode.UnknownTopicOrPartition
            : request.FetchOffset < partition.LogStartOffset || request.FetchOffset > partition.HighWatermark ? ErrorCode.OffsetOutOfRange
            : ErrorCode.None;
        response.WriteErrorCode(error);

        // Offsets go in after the records are read: read data first, offsets second, so the reported high watermark
        // always covers every record returned (appends publish the log end offset before the bytes).
        var offsetsAt = response.Position;
        response.WriteInt64(-1);
        response.WriteInt64(-1);
        if (version >= 5)
        {
            response.WriteInt64(-1);
        }

        // With no transactions, nothing is aborted: an empty list for read_committed, null otherwise.
        response.WriteArrayLength(isolationLevel == 1 ? 0 : -1);
        if (version >= 11)
        {
            response.WriteInt32(-1);
        }

        WriteRecords(response, error == ErrorCode.None ? slice : null);

        if (partition is not null)
        {
            response.PatchInt64(offsetsAt, partition.HighWatermark);
            response.PatchInt64(offsetsAt + 8, partition.LastStableOffset);
            if (version >= 5)
            {
                response.PatchInt64(offsetsAt + 16, partition.LogStartOffset);
            }
        }
    }

    private static void WriteRecords(KafkaWriter response, LogReadSlice? slice)
    {
        var lengthAt = response.ReserveInt32();
        if (slice is not { } s)
        {
            response.PatchInt32(lengthAt, 0);
            return;
        }

        try
        {
            var read = s.Segment.Read(s.Position, response.GetSpan(s.Length)[..s.Length]);
            response.Advance(read);
            response.PatchInt32(lengthAt, read);
        }
        catch (ObjectDisposedException)
        {
            // Segment removed by retention or topic deletion mid-read: answer with no records; the client refetches.
            response.Truncate(lengthAt + 4);
            response.PatchInt32(lengthAt, 0);
        }
    }

    private static FetchRequest Decode(ref KafkaReader r, short version)
    {
        r.ReadInt32(); // replica id: -1 for consumers
        var maxWait = r.ReadInt32();
        var minBytes = r.ReadInt32();
        var maxBytes = r.ReadInt32();
        var isolation = r.ReadInt8();
        if (version >= 7)
        {
            r.ReadInt32();
            r.ReadInt32();
        }

        var topics = r.ReadArray((ref KafkaReader t) => new FetchTopic(
            t.ReadString(),
            t.ReadArray((ref KafkaReader p) =>
            {
                var index = p.ReadInt32();
                if (version >= 9)
                {
                    p.ReadInt32(); // current leader epoch: -1 from librdkafka below Metadata v9
                }

                var offset = p.ReadInt64();
                if (version >= 5)
                {
                    p.ReadInt64();
                }

                return new FetchPartition(index, offset, p.ReadInt32());
            })));
        if (version >= 7)
        {
            r.ReadArray((ref KafkaReader f) => (f.ReadString(), f.ReadArray((ref KafkaReader p) => p.ReadInt32())));
        }

        if (version >= 11)
        {
            r.ReadString();
        }

        return new FetchRequest(maxWait, minBytes, maxBytes <= 0 ? int.MaxValue : maxBytes, isolation, topics);
    }

    private sealed record FetchRequest(int MaxWaitMs, int MinBytes, int MaxBytes, sbyte IsolationLevel, List<FetchTopic> Topics);

    private sealed record FetchTopic(string Name, List<FetchPartition> Partitions);

    private readonly record struct FetchPartition(int Index, long FetchOffset, int MaxBytes);
}
