using Streams.Broker.Observability;
using Streams.Broker.Protocol;
using Streams.Broker.Protocol.Messages;
using Streams.Broker.Security.Authorization;
using Streams.Broker.Storage;

namespace Streams.Broker.Apis;

/// <summary>
/// Fetch (1), v4-11: v4 isolation level, LSO and aborted transactions; v5 LogStartOffset; v7 sessions (we never
/// create one: SessionId 0 tells the client to keep sending full requests); v9 CurrentLeaderEpoch; v11 RackId and
/// PreferredReadReplica (always -1); v12 flexible; v13 topics by id (an id no topic has answers UNKNOWN_TOPIC_ID);
/// v14-16 only add tags for followers and leader changes, which a single node never sends. Long polls until MinBytes are available or MaxWaitMs passes, woken by appends.
/// Records go from the segment files straight into the response buffer when it is written (<see cref="LogRecords"/>).
/// Needs Read on each topic: the partitions of a topic without it answer TOPIC_AUTHORIZATION_FAILED (before any
/// existence check, so a principal learns nothing about topics it may not read).
/// </summary>
internal sealed class FetchApi : ApiHandler<FetchRequest, FetchResponse>
{
    private static readonly RecordSet NoRecords = new MemoryRecordSet(ReadOnlyMemory<byte>.Empty);

    public override async ValueTask<FetchResponse> HandleAsync(RequestContext context, FetchRequest request)
    {
        var broker = context.Broker;
        // fetch.max.bytes caps what any client may ask for, so one small request cannot build a huge response.
        var maxBytes = request.MaxBytes <= 0 ? broker.Config.FetchMaxBytes : Math.Min(request.MaxBytes, broker.Config.FetchMaxBytes);
        var names = context.ApiVersion >= FirstTopicIdVersion ? TopicNames(broker, request) : null;
        var denied = context.AuthorizationEnabled ? DeniedTopics(context, request, names) : null;
        var partitions = Distinct(request, names)
            .Select(p => (p.Topic, p.Request, Partition: p.Topic.Name is not { } name || denied?.Contains(name) == true ? null : broker.Logs.GetPartition(name, p.Request.Partition)))
            .ToList();

        var deadline = broker.Time.GetUtcNow().AddMilliseconds(Math.Max(request.MaxWaitMs, 0));
        LogReadSlice?[] slices;
        while (true)
        {
            var signals = partitions.Where(p => p.Partition is not null).Select(p => p.Partition!.DataArrived).ToList();
            (slices, var available, var hasError) = Plan(partitions, maxBytes, request.IsolationLevel == ReadCommitted);
            var remaining = deadline - broker.Time.GetUtcNow();
            if (available >= request.MinBytes || hasError || remaining <= TimeSpan.Zero || signals.Count == 0)
            {
                break;
            }

            var timeout = Task.Delay(remaining, broker.Time, context.CancellationToken);
            await Task.WhenAny(signals.Append(timeout)).ConfigureAwait(false);
            context.CancellationToken.ThrowIfCancellationRequested();
        }

        return Respond(request.IsolationLevel, partitions, slices, denied);
    }

    /// <summary>The first version that names topics by id.</summary>
    private const short FirstTopicIdVersion = 13;

    /// <summary>The names of the topic ids a v13+ request uses; an id no topic has is missing.</summary>
    private static Dictionary<Guid, string> TopicNames(BrokerContext broker, FetchRequest request)
    {
        var wanted = request.Topics.Select(t => t.TopicId).ToHashSet();
        return broker.Logs.Topics.Where(t => wanted.Contains(t.Id)).ToDictionary(t => t.Id, t => t.Name);
    }

    /// <summary>The topics the principal may not Read (null when it may read all), each checked once.</summary>
    private static HashSet<string>? DeniedTopics(RequestContext context, FetchRequest request, Dictionary<Guid, string>? names)
    {
        HashSet<string>? denied = null;
        var named = names is null ? request.Topics.Select(t => (Name: t.Topic, t.Partitions.Count))
            : request.Topics.Where(t => names.ContainsKey(t.TopicId)).Select(t => (Name: names[t.TopicId], t.Partitions.Count));
        foreach (var topic in named.GroupBy(t => t.Name, StringComparer.Ordinal))
        {
            if (!context.Authorize(AclOperation.Read, AclResourceType.Topic, topic.Key, topic.Sum(t => t.Count)))
            {
                (denied ??= new HashSet<string>(StringComparer.Ordinal)).Add(topic.Key);
            }
        }

        return denied;
    }

    /// <summary>
    /// The partitions of the request, each once: Kafka keys a fetch by partition, so a partition listed again takes
    /// the place of its earlier entry (keeping that position) and is answered once, however often it was listed.
    /// </summary>
    private static List<(TopicRef Topic, FetchRequest.FetchPartition Request)> Distinct(FetchRequest request, Dictionary<Guid, string>? names)
    {
        var order = new List<(TopicRef Topic, FetchRequest.FetchPartition Request)>();
        var seen = new Dictionary<(TopicRef, int), int>();
        foreach (var topic in request.Topics)
        {
            var reference = names is null ? new TopicRef(topic.Topic, Guid.Empty) : new TopicRef(names.GetValueOrDefault(topic.TopicId), topic.TopicId);
            foreach (var partition in topic.Partitions)
            {
                if (seen.TryGetValue((reference, partition.Partition), out var at))
                {
                    order[at] = (reference, partition);
                }
                else
                {
                    seen[(reference, partition.Partition)] = order.Count;
                    order.Add((reference, partition));
                }
            }
        }

        return order;
    }

    /// <summary>
    /// What a fetch would return now: the slice of each partition within the request's limits (KIP-74: the first
    /// partition with data may exceed them by one batch), their total, and whether any partition answers with an
    /// error (which ends the long poll at once). The response is written from this plan, so the log is searched once.
    /// </summary>
    private const sbyte ReadCommitted = 1;

    private static (LogReadSlice?[] Slices, long Bytes, bool HasError) Plan(List<(TopicRef Topic, FetchRequest.FetchPartition Request, Partition? Partition)> partitions, int maxBytes, bool readCommitted)
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

            // read_committed stops at the last stable offset: nothing of an open transaction, nor anything after it.
            var maxOffset = readCommitted ? partition.LastStableOffset : long.MaxValue;
            slices[i] = partition.Log.Locate(request.FetchOffset, (int)Math.Min(budget, request.PartitionMaxBytes), minOneBatch: total == 0, maxOffset);
            total += slices[i]?.Length ?? 0;
        }

        return (slices, total, hasError);
    }

    private static FetchResponse Respond(sbyte isolationLevel, List<(TopicRef Topic, FetchRequest.FetchPartition Request, Partition? Partition)> partitions, LogReadSlice?[] slices, HashSet<string>? denied)
    {
        // Consecutive partitions of one topic share a topic entry, as Kafka builds its response from the fetch map.
        var response = new FetchResponse();
        FetchResponse.TopicResponse? topicResponse = null;
        for (var i = 0; i < partitions.Count; i++)
        {
            var (topic, request, partition) = partitions[i];
            if (topicResponse is null || !string.Equals(topicResponse.Topic, topic.Name ?? "", StringComparison.Ordinal) || topicResponse.TopicId != topic.Id)
            {
                topicResponse = new FetchResponse.TopicResponse { Topic = topic.Name ?? "", TopicId = topic.Id };
                response.Responses.Add(topicResponse);
            }

            var error = topic.Name is null ? ErrorCode.UnknownTopicId
                : denied?.Contains(topic.Name) == true ? ErrorCode.TopicAuthorizationFailed
                : ErrorCode.None;
            topicResponse.Partitions.Add(RespondPartition(topic.Name ?? "", isolationLevel, request, partition, slices[i], error));
        }

        return response;
    }

    private static FetchResponse.PartitionData RespondPartition(string topic, sbyte isolationLevel, FetchRequest.FetchPartition request, Partition? partition, LogReadSlice? slice, ErrorCode topicError)
    {
        var error = topicError != ErrorCode.None ? topicError
            : partition is null ? ErrorCode.UnknownTopicOrPartition
            : request.FetchOffset < partition.LogStartOffset || request.FetchOffset > partition.HighWatermark ? ErrorCode.OffsetOutOfRange
            : ErrorCode.None;

        // The offsets are read after the plan located the records: appends publish the log end offset before the
        // bytes, so a high watermark read now covers every record in the slice (its length is fixed by the plan).
        var lastStable = partition?.LastStableOffset ?? -1;
        return new FetchResponse.PartitionData
        {
            PartitionIndex = request.Partition,
            ErrorCode = error,
            HighWatermark = partition?.HighWatermark ?? -1,
            LastStableOffset = lastStable,
            LogStartOffset = partition?.LogStartOffset ?? -1,

            // read_committed clients drop the records of these producers from FirstOffset up to their ABORT marker.
            AbortedTransactions = isolationLevel != ReadCommitted ? null
                : partition is null || error != ErrorCode.None ? []
                : [.. partition.AbortedTransactions(request.FetchOffset, lastStable).Select(a => new FetchResponse.AbortedTransaction { ProducerId = a.ProducerId, FirstOffset = a.FirstOffset })],
            Records = error == ErrorCode.None && slice is { } s ? new LogRecords(s, topic) : NoRecords,
        };
    }

    /// <summary>A fetched topic: its name (null for an id no topic has) and its id (empty before v13).</summary>
    private readonly record struct TopicRef(string? Name, Guid Id);

    /// <summary>
    /// A partition's records as located in the log, copied from the segment file straight into the response buffer
    /// when the response is written: the bytes are never held anywhere else.
    /// </summary>
    private sealed class LogRecords(LogReadSlice slice, string topic) : RecordSet
    {
        public override void WriteTo(KafkaWriter writer)
        {
            var start = writer.Position;
            var lengthAt = -1;
            if (writer.Flexible)
            {
                writer.WriteBytesLength(slice.Length);
            }
            else
            {
                lengthAt = writer.ReserveInt32();
            }

            try
            {
                var target = writer.GetSpan(slice.Length)[..slice.Length];
                var read = slice.Segment.Read(slice.Position, target);
                BrokerMetrics.Sent(topic, target[..read]);
                writer.Advance(read);
                if (lengthAt >= 0)
                {
                    writer.PatchInt32(lengthAt, read);
                }
                else if (read != slice.Length)
                {
                    // A compact length is already written and cannot shrink: answer with no records instead.
                    throw new ObjectDisposedException(nameof(LogSegment));
                }
            }
            catch (ObjectDisposedException)
            {
                // Segment removed by retention or topic deletion mid-read: answer with no records; the client refetches.
                writer.Truncate(start);
                writer.WriteBytesLength(0);
            }
        }
    }
}
