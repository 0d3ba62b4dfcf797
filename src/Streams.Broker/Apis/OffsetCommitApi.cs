using Streams.Broker.Groups;
using Streams.Broker.Protocol.Messages;

namespace Streams.Broker.Apis;

/// <summary>
/// OffsetCommit (8), v2-7: v2-4 RetentionTimeMs (ignored, as Kafka does since KIP-211; librdkafka sends -1),
/// v3 ThrottleTimeMs, v5 drops RetentionTimeMs, v6 CommittedLeaderEpoch, v7 GroupInstanceId.
/// Generation -1 with no member id is the path of assign() consumers and AlterConsumerGroupOffsets.
/// </summary>
internal sealed class OffsetCommitApi : ApiHandler<OffsetCommitRequest, OffsetCommitResponse>
{
    public override ValueTask<OffsetCommitResponse> HandleAsync(RequestContext context, OffsetCommitRequest request)
    {
        var entries = request.Topics
            .SelectMany(t => t.Partitions.Select(p => new OffsetCommitEntry(t.Name, p.PartitionIndex, p.CommittedOffset, p.CommittedLeaderEpoch, p.CommittedMetadata)))
            .ToList();
        var errors = context.Broker.Groups.CommitOffsets(request.GroupId, request.GenerationIdOrMemberEpoch, request.MemberId, request.GroupInstanceId, entries);

        var index = 0;
        return ValueTask.FromResult(new OffsetCommitResponse
        {
            Topics = [.. request.Topics.Select(t => new OffsetCommitResponse.Topic
            {
                Name = t.Name,
                Partitions = [.. t.Partitions.Select(p => new OffsetCommitResponse.Partition { PartitionIndex = p.PartitionIndex, ErrorCode = errors[index++] })],
            })],
        });
    }
}
