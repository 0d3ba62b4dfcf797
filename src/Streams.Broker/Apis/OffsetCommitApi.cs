using Streams.Broker.Groups;
using Streams.Broker.Protocol;
using Streams.Broker.Protocol.Messages;
using Streams.Broker.Security.Authorization;

namespace Streams.Broker.Apis;

/// <summary>
/// OffsetCommit (8), v2-9 (v8 flexible): v2-4 RetentionTimeMs (ignored, as Kafka does since KIP-211; librdkafka sends -1),
/// v3 ThrottleTimeMs, v5 drops RetentionTimeMs, v6 CommittedLeaderEpoch, v7 GroupInstanceId, v9 the generation is a
/// KIP-848 member epoch for members of consumer groups (STALE_MEMBER_EPOCH; they must use v9 or above).
/// Generation -1 with no member id is the path of assign() consumers and AlterConsumerGroupOffsets.
/// Needs Read on the group (else GROUP_AUTHORIZATION_FAILED for every partition) and Read on each topic (else
/// TOPIC_AUTHORIZATION_FAILED for its partitions, the others are committed).
/// </summary>
internal sealed class OffsetCommitApi : ApiHandler<OffsetCommitRequest, OffsetCommitResponse>
{
    public override ValueTask<OffsetCommitResponse> HandleAsync(RequestContext context, OffsetCommitRequest request)
    {
        if (!context.Authorize(AclOperation.Read, AclResourceType.Group, request.GroupId))
        {
            return Respond(request, (_, _) => ErrorCode.GroupAuthorizationFailed);
        }

        var denied = request.Topics.Select(t => t.Name).Distinct(StringComparer.Ordinal)
            .Where(name => !context.Authorize(AclOperation.Read, AclResourceType.Topic, name))
            .ToHashSet(StringComparer.Ordinal);
        var entries = request.Topics
            .Where(t => !denied.Contains(t.Name))
            .SelectMany(t => t.Partitions.Select(p => new OffsetCommitEntry(t.Name, p.PartitionIndex, p.CommittedOffset, p.CommittedLeaderEpoch, p.CommittedMetadata)))
            .ToList();
        var errors = context.Broker.Groups.CommitOffsets(request.GroupId, request.GenerationIdOrMemberEpoch, request.MemberId, request.GroupInstanceId, entries, context.ApiVersion);

        var index = 0;
        return Respond(request, (topic, _) => denied.Contains(topic) ? ErrorCode.TopicAuthorizationFailed : errors[index++]);
    }

    /// <summary>The response in request order; <paramref name="error"/> is called once per partition, in order.</summary>
    private static ValueTask<OffsetCommitResponse> Respond(OffsetCommitRequest request, Func<string, int, ErrorCode> error) =>
        ValueTask.FromResult(new OffsetCommitResponse
        {
            Topics = [.. request.Topics.Select(t => new OffsetCommitResponse.Topic
            {
                Name = t.Name,
                Partitions = [.. t.Partitions.Select(p => new OffsetCommitResponse.Partition { PartitionIndex = p.PartitionIndex, ErrorCode = error(t.Name, p.PartitionIndex) })],
            })],
        });
}
