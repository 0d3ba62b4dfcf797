using Streams.Broker.Groups;
using Streams.Broker.Protocol;

namespace Streams.Broker.Apis;

/// <summary>
/// OffsetCommit (8), v2-7: v2-4 RetentionTimeMs (ignored, as Kafka does since KIP-211; librdkafka sends -1),
/// v3 ThrottleTimeMs, v5 drops RetentionTimeMs, v6 CommittedLeaderEpoch, v7 GroupInstanceId.
/// Generation -1 with no member id is the path of assign() consumers and AlterConsumerGroupOffsets.
/// </summary>
internal sealed class OffsetCommitApi : ApiHandler
{
    public override ApiKey Key => ApiKey.OffsetCommit;

    public override short MinVersion => 2;

    public override short MaxVersion => 7;

    public override ValueTask HandleAsync(RequestContext context, KafkaReader request, KafkaWriter response)
    {
        var version = context.ApiVersion;
        var groupId = request.ReadString();
        var generationId = request.ReadInt32();
        var memberId = request.ReadString();
        var groupInstanceId = version >= 7 ? request.ReadNullableString() : null;
        if (version <= 4)
        {
            request.ReadInt64();
        }

        var topics = request.ReadArray((ref KafkaReader t) =>
        {
            var name = t.ReadString();
            return (Name: name, Partitions: t.ReadArray((ref KafkaReader p) => new OffsetCommitEntry(
                name,
                p.ReadInt32(),
                p.ReadInt64(),
                version >= 6 ? p.ReadInt32() : -1,
                p.ReadNullableString())));
        });

        var entries = topics.SelectMany(t => t.Partitions).ToList();
        var errors = context.Broker.Groups.CommitOffsets(groupId, generationId, memberId, groupInstanceId, entries);

        if (version >= 3)
        {
            response.WriteInt32(0);
        }

        var index = 0;
        response.WriteArrayLength(topics.Count);
        foreach (var (name, partitions) in topics)
        {
            response.WriteString(name);
            response.WriteArrayLength(partitions.Count);
            foreach (var partition in partitions)
            {
                response.WriteInt32(partition.Partition);
                response.WriteErrorCode(errors[index++]);
            }
        }

        return ValueTask.CompletedTask;
    }
}
