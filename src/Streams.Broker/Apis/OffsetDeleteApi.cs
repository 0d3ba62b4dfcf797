using Streams.Broker.Groups;
using Streams.Broker.Protocol.Messages;

namespace Streams.Broker.Apis;

/// <summary>
/// OffsetDelete (47), v0 (AdminClient DeleteConsumerGroupOffsets): refused per partition with
/// GROUP_SUBSCRIBED_TO_TOPIC for topics an active member subscribes to.
/// </summary>
internal sealed class OffsetDeleteApi : ApiHandler<OffsetDeleteRequest, OffsetDeleteResponse>
{
    public override ValueTask<OffsetDeleteResponse> HandleAsync(RequestContext context, OffsetDeleteRequest request)
    {
        var requested = request.Topics.SelectMany(t => t.Partitions.Select(p => new TopicPartition(t.Name, p.PartitionIndex))).ToList();
        var (error, partitions) = context.Broker.Groups.DeleteOffsets(request.GroupId, requested);
        return ValueTask.FromResult(new OffsetDeleteResponse
        {
            ErrorCode = error,
            Topics = [.. partitions.GroupBy(p => p.Partition.Topic, StringComparer.Ordinal).Select(topic => new OffsetDeleteResponse.Topic
            {
                Name = topic.Key,
                Partitions = [.. topic.Select(p => new OffsetDeleteResponse.Partition { PartitionIndex = p.Partition.Partition, ErrorCode = p.Error })],
            })],
        });
    }
}
