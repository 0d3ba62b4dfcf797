using Streams.Broker.Groups;
using Streams.Broker.Protocol.Messages;

namespace Streams.Broker.Apis;

/// <summary>
/// OffsetFetch (9), v1-7 (v6+ flexible): v2 Topics may be null (every committed partition) and a top-level
/// ErrorCode, v3 ThrottleTimeMs, v5 CommittedLeaderEpoch, v7 RequireStable (KIP-447). With no transactions yet no
/// commit is ever pending, so RequireStable never yields UNSTABLE_OFFSET_COMMIT.
/// A partition without a committed offset gets offset -1 and no error; an unknown group is not an error either.
/// </summary>
internal sealed class OffsetFetchApi : ApiHandler<OffsetFetchRequest, OffsetFetchResponse>
{
    public override ValueTask<OffsetFetchResponse> HandleAsync(RequestContext context, OffsetFetchRequest request)
    {
        var requested = request.Topics?.SelectMany(t => t.PartitionIndexes.Select(p => new TopicPartition(t.Name, p))).ToList();
        var offsets = context.Broker.Groups.FetchOffsets(request.GroupId, requested);
        return ValueTask.FromResult(new OffsetFetchResponse
        {
            Topics = [.. offsets.GroupBy(o => o.Partition.Topic, StringComparer.Ordinal).Select(topic => new OffsetFetchResponse.Topic
            {
                Name = topic.Key,
                Partitions = [.. topic.Select(p => new OffsetFetchResponse.Partition
                {
                    PartitionIndex = p.Partition.Partition,
                    CommittedOffset = p.Offset?.Offset ?? -1,
                    CommittedLeaderEpoch = p.Offset?.LeaderEpoch ?? -1,
                    Metadata = p.Offset?.Metadata ?? string.Empty,
                })],
            })],
        });
    }
}
