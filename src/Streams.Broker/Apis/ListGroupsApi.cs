using Streams.Broker.Protocol;

namespace Streams.Broker.Apis;

/// <summary>
/// ListGroups (16), v0-4 (v3+ flexible): v1 ThrottleTimeMs, v4 StatesFilter and GroupState (KIP-518). v0 stays:
/// librdkafka's legacy rd_kafka_list_groups (Confluent.Kafka AdminClient.ListGroups) pins it.
/// ProtocolType is "" for simple groups that only store offsets.
/// </summary>
internal sealed class ListGroupsApi : ApiHandler
{
    public override ApiKey Key => ApiKey.ListGroups;

    public override short MinVersion => 0;

    public override short MaxVersion => 4;

    public override short FirstFlexibleVersion => 3;

    public override ValueTask HandleAsync(RequestContext context, KafkaReader request, KafkaWriter response)
    {
        var version = context.ApiVersion;
        var states = version >= 4 ? request.ReadArray((ref KafkaReader r) => r.ReadString()) : [];
        request.SkipTaggedFields();

        var groups = context.Broker.Groups.ListGroups(states);

        if (version >= 1)
        {
            response.WriteInt32(0);
        }

        response.WriteErrorCode(ErrorCode.None);
        response.WriteArrayLength(groups.Count);
        foreach (var group in groups)
        {
            response.WriteString(group.GroupId);
            response.WriteString(group.ProtocolType);
            if (version >= 4)
            {
                response.WriteString(group.State);
            }

            response.WriteTaggedFields();
        }

        response.WriteTaggedFields();
        return ValueTask.CompletedTask;
    }
}
