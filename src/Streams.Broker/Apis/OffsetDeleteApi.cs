using Streams.Broker.Groups;
using Streams.Broker.Protocol;

namespace Streams.Broker.Apis;

/// <summary>
/// OffsetDelete (47), v0 (AdminClient DeleteConsumerGroupOffsets): refused per partition with
/// GROUP_SUBSCRIBED_TO_TOPIC for topics an active member subscribes to.
/// </summary>
internal sealed class OffsetDeleteApi : ApiHandler
{
    public override ApiKey Key => ApiKey.OffsetDelete;

    public override short MinVersion => 0;

    public override short MaxVersion => 0;

    public override ValueTask HandleAsync(RequestContext context, KafkaReader request, KafkaWriter response)
    {
        var groupId = request.ReadString();
        var topics = request.ReadArray((ref KafkaReader t) =>
        {
            var name = t.ReadString();
            return t.ReadArray((ref KafkaReader p) => new TopicPartition(name, p.ReadInt32()));
        });

        var (error, partitions) = context.Broker.Groups.DeleteOffsets(groupId, [.. topics.SelectMany(t => t)]);

        response.WriteErrorCode(error);
        response.WriteInt32(0);
        var byTopic = partitions.GroupBy(p => p.Partition.Topic, StringComparer.Ordinal).ToList();
        response.WriteArrayLength(byTopic.Count);
        foreach (var topic in byTopic)
        {
            response.WriteString(topic.Key);
            response.WriteArrayLength(topic.Count());
            foreach (var (partition, partitionError) in topic)
            {
                response.WriteInt32(partition.Partition);
                response.WriteErrorCode(partitionError);
            }
        }

        return ValueTask.CompletedTask;
    }
}
