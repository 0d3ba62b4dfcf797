using Streams.Broker.Groups;
using Streams.Broker.Protocol;

namespace Streams.Broker.Apis;

/// <summary>
/// OffsetFetch (9), v1-7 (v6+ flexible): v2 Topics may be null (every committed partition) and a top-level
/// ErrorCode, v3 ThrottleTimeMs, v5 CommittedLeaderEpoch, v7 RequireStable (KIP-447). With no transactions yet no
/// commit is ever pending, so RequireStable never yields UNSTABLE_OFFSET_COMMIT.
/// A partition without a committed offset gets offset -1 and no error; an unknown group is not an error either.
/// </summary>
internal sealed class OffsetFetchApi : ApiHandler
{
    public override ApiKey Key => ApiKey.OffsetFetch;

    public override short MinVersion => 1;

    public override short MaxVersion => 7;

    public override short FirstFlexibleVersion => 6;

    public override ValueTask HandleAsync(RequestContext context, KafkaReader request, KafkaWriter response)
    {
        var version = context.ApiVersion;
        var groupId = request.ReadString();
        var topics = request.ReadNullableArray((ref KafkaReader t) =>
        {
            var name = t.ReadString();
            var partitions = t.ReadArray((ref KafkaReader p) => p.ReadInt32());
            t.SkipTaggedFields();
            return (Name: name, Partitions: partitions);
        });
        if (version >= 7)
        {
            request.ReadBool();
        }

        request.SkipTaggedFields();

        var requested = topics?.SelectMany(t => t.Partitions.Select(p => new TopicPartition(t.Name, p))).ToList();
        var offsets = context.Broker.Groups.FetchOffsets(groupId, requested);

        if (version >= 3)
        {
            response.WriteInt32(0);
        }

        var byTopic = offsets.GroupBy(o => o.Partition.Topic, StringComparer.Ordinal).ToList();
        response.WriteArrayLength(byTopic.Count);
        foreach (var topic in byTopic)
        {
            response.WriteString(topic.Key);
            response.WriteArrayLength(topic.Count());
            foreach (var (partition, offset) in topic)
            {
                response.WriteInt32(partition.Partition);
                response.WriteInt64(offset?.Offset ?? -1);
                if (version >= 5)
                {
                    response.WriteInt32(offset?.LeaderEpoch ?? -1);
                }

                response.WriteNullableString(offset is { } found ? found.Metadata ?? string.Empty : string.Empty);
                response.WriteErrorCode(ErrorCode.None);
                response.WriteTaggedFields();
            }

            response.WriteTaggedFields();
        }

        if (version >= 2)
        {
            response.WriteErrorCode(ErrorCode.None);
        }

        response.WriteTaggedFields();
        return ValueTask.CompletedTask;
    }
}
