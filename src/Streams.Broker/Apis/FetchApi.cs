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
        while (true)
        {
            var signals = partitions.Where(p => p.Partition is not null).Select(p => p.Partition!.DataArrived).ToList();
            var (available, hasError) = Probe(partitions, fetch.MaxBytes);
            var remaining = deadline - broker.Time.GetUtcNow();
            if (available >= fetch.MinBytes || hasError || remaining <= TimeSpan.Zero || signals.Count == 0)
            {
                break;
            }

            var timeout = Task.Delay(remaining, broker.Time, context.CancellationToken);
            await Task.WhenAny(signals.Append(timeout)).ConfigureAwait(false);
            context.CancellationToken.ThrowIfCancellationRequested();
        }

        Write(response, context.ApiVersion, fetch, partitions);
    }

    /// <summary>Bytes a fetch would return now, and whether any partition answers with an error (which returns at once).</summary>
    private static (long Bytes, bool HasError) Probe(List<(string Topic, FetchPartition Request, Partition? Partition)> partitions, int maxBytes)
    {
        long total = 0;
        foreach (var (_, request, partition) in partitions)
        {
            if (partition is null || request.FetchOffset < partition.LogStartOffset || request.FetchOffset > partition.HighWatermark)
            {
                return (total, true);
            }

            var slice = partition.Log.Locate(request.FetchOffset, request.MaxBytes, minOneBatch: total == 0);
            total += slice?.Length ?? 0;
            if (total >= maxBytes)
            {
                break;
            }
        }

        return (total, false);
    }

    private static void Write(KafkaWriter response, short version, FetchRequest fetch, List<(string Topic, FetchPartition Request, Partition? Partition)> partitions)
    {
        response.WriteInt32(0);
        if (version >= 7)
        {
            response.WriteErrorCode(ErrorCode.None);
            response.WriteInt32(0);
        }

        var budget = fetch.MaxBytes;
        var first = true;
        response.WriteArrayLength(fetch.Topics.Count);
        var index = 0;
        foreach (var topic in fetch.Topics)
        {
            response.WriteString(topic.Name);
            response.WriteArrayLength(topic.Partitions.Count);
            foreach (var request in topic.Partitions)
            {
                var partition = partitions[index++].Partition;
                var written = WritePartition(response, version, fetch.IsolationLevel, request, partition, budget, first);
                budget -= written;
                first &= written == 0;
            }
        }
    }

    /// <returns>Record bytes written.</returns>
    private static int WritePartition(KafkaWriter response, short version, sbyte isolationLevel, FetchPartition request, Partition? partition, int budget, bool first)
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

        var written = 0;
        if (error == ErrorCode.None && budget > 0)
        {
            written = WriteRecords(response, partition!, request, Math.Min(budget, request.MaxBytes), first);
        }
        else
        {
            response.WriteInt32(0);
        }

        if (partition is not null)
        {
            response.PatchInt64(offsetsAt, partition.HighWatermark);
            response.PatchInt64(offsetsAt + 8, partition.LastStableOffset);
            if (version >= 5)
            {
                response.PatchInt64(offsetsAt + 16, partition.LogStartOffset);
            }
        }

        return written;
    }

    private static int WriteRecords(KafkaWriter response, Partition partition, FetchPartition request, int maxBytes, bool minOneBatch)
    {
        var lengthAt = response.ReserveInt32();
        try
        {
            var slice = partition.Log.Locate(request.FetchOffset, maxBytes, minOneBatch);
            if (slice is not { } s)
            {
                response.PatchInt32(lengthAt, 0);
                return 0;
            }

            var read = s.Segment.Read(s.Position, response.GetSpan(s.Length)[..s.Length]);
            response.Advance(read);
            response.PatchInt32(lengthAt, read);
            return read;
        }
        catch (ObjectDisposedException)
        {
            // Segment removed by retention or topic deletion mid-read: answer with no records; the client refetches.
            response.Truncate(lengthAt + 4);
            response.PatchInt32(lengthAt, 0);
            return 0;
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
