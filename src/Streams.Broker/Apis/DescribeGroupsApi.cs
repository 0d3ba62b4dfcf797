using Streams.Broker.Protocol.Messages;

namespace Streams.Broker.Apis;

/// <summary>
/// DescribeGroups (15), v0-4: v1 ThrottleTimeMs, v2 nothing new, v3 AuthorizedOperations, v4 GroupInstanceId
/// per member. v0 stays for librdkafka's legacy rd_kafka_list_groups. Without ACLs, authorized operations are
/// reported as "not requested" (INT32_MIN, the field's default).
/// </summary>
internal sealed class DescribeGroupsApi : ApiHandler<DescribeGroupsRequest, DescribeGroupsResponse>
{
    public override ValueTask<DescribeGroupsResponse> HandleAsync(RequestContext context, DescribeGroupsRequest request)
    {
        var response = new DescribeGroupsResponse();
        foreach (var groupId in request.Groups)
        {
            var group = context.Broker.Groups.DescribeGroup(groupId);
            response.Groups.Add(new DescribeGroupsResponse.Group
            {
                ErrorCode = group.Error,
                GroupId = group.GroupId,
                GroupState = group.State,
                ProtocolType = group.ProtocolType,
                ProtocolData = group.ProtocolData,
                Members = [.. group.Members.Select(m => new DescribeGroupsResponse.Member
                {
                    MemberId = m.MemberId,
                    GroupInstanceId = m.GroupInstanceId,
                    ClientId = m.ClientId,
                    ClientHost = m.ClientHost,
                    MemberMetadata = m.Metadata,
                    MemberAssignment = m.Assignment,
                })],
            });
        }

        return ValueTask.FromResult(response);
    }
}
