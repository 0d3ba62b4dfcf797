using Streams.Broker.Protocol;

namespace Streams.Broker.Apis;

/// <summary>
/// DescribeGroups (15), v0-4: v1 ThrottleTimeMs, v2 nothing new, v3 AuthorizedOperations, v4 GroupInstanceId
/// per member. v0 stays for librdkafka's legacy rd_kafka_list_groups. Without ACLs, authorized operations are
/// reported as "not requested" (INT32_MIN).
/// </summary>
internal sealed class DescribeGroupsApi : ApiHandler
{
    public override ApiKey Key => ApiKey.DescribeGroups;

    public override short MinVersion => 0;

    public override short MaxVersion => 4;

    public override ValueTask HandleAsync(RequestContext context, KafkaReader request, KafkaWriter response)
    {
        var version = context.ApiVersion;
        var groupIds = request.ReadArray((ref KafkaReader r) => r.ReadString());
        if (version >= 3)
        {
            request.ReadBool();
        }

        if (version >= 1)
        {
            response.WriteInt32(0);
        }

        response.WriteArrayLength(groupIds.Count);
        foreach (var groupId in groupIds)
        {
            var group = context.Broker.Groups.DescribeGroup(groupId);
            response.WriteErrorCode(group.Error);
            response.WriteString(group.GroupId);
            response.WriteString(group.State);
            response.WriteString(group.ProtocolType);
            response.WriteString(group.ProtocolData);
            response.WriteArrayLength(group.Members.Count);
            foreach (var member in group.Members)
            {
                response.WriteString(member.MemberId);
                if (version >= 4)
                {
                    response.WriteNullableString(member.GroupInstanceId);
                }

                response.WriteString(member.ClientId);
                response.WriteString(member.ClientHost);
                response.WriteBytes(member.Metadata);
                response.WriteBytes(member.Assignment);
            }

            if (version >= 3)
            {
                response.WriteInt32(int.MinValue);
            }
        }

        return ValueTask.CompletedTask;
    }
}
