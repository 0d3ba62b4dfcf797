using Streams.Broker.Groups;
using Streams.Broker.Protocol;
using Streams.Broker.Protocol.Messages;
using Streams.Broker.Security.Authorization;

namespace Streams.Broker.Apis;

/// <summary>
/// OffsetDelete (47), v0 (AdminClient DeleteConsumerGroupOffsets): refused per partition with
/// GROUP_SUBSCRIBED_TO_TOPIC for topics an active member subscribes to. Needs Delete on the group (else a top-level
/// GROUP_AUTHORIZATION_FAILED) and Read on each topic (else TOPIC_AUTHORIZATION_FAILED for its partitions).
/// </summary>
internal sealed class OffsetDeleteApi : ApiHandler<OffsetDeleteRequest, OffsetDeleteResponse>
{
    public override ValueTask<OffsetDeleteResponse> HandleAsync(RequestContext context, OffsetDeleteRequest request)
    {
        if (!context.Authorize(AclOperation.Delete, AclResourceType.Group, request.GroupId))
        {
            return ValueTask.FromResult(new OffsetDeleteResponse { ErrorCode = ErrorCode.GroupAuthorizationFailed });
        }

        var denied = request.Topics.Select(t => t.Name).Distinct(StringComparer.Ordinal)
            .Where(name => !context.Authorize(AclOperation.Read, AclResourceType.Topic, name))
            .ToHashSet(StringComparer.Ordinal);
        var requested = request.Topics.Where(t => !denied.Contains(t.Name))
            .SelectMany(t => t.Partitions.Select(p => new TopicPartition(t.Name, p.PartitionIndex))).ToList();
        var (error, partitions) = requested.Count == 0 && denied.Count > 0 ? (ErrorCode.None, []) : context.Broker.Groups.DeleteOffsets(request.GroupId, requested);
        var response = new OffsetDeleteResponse
        {
            ErrorCode = error,
            Topics = [.. partitions.GroupBy(p => p.Partition.Topic, StringComparer.Ordinal).Select(topic => new OffsetDeleteResponse.Topic
            {
                Name = topic.Key,
                Partitions = [.. topic.Select(p => new OffsetDeleteResponse.Partition { PartitionIndex = p.Partition.Partition, ErrorCode = p.Error })],
            })],
        };
        response.Topics.AddRange(request.Topics.Where(t => denied.Contains(t.Name)).Select(t => new OffsetDeleteResponse.Topic
        {
            Name = t.Name,
            Partitions = [.. t.Partitions.Select(p => new OffsetDeleteResponse.Partition { PartitionIndex = p.PartitionIndex, ErrorCode = ErrorCode.TopicAuthorizationFailed })],
        }));
        return ValueTask.FromResult(response);
    }
}
