using Streams.Broker.Protocol;
using Streams.Broker.Protocol.Messages;
using Streams.Broker.Security.Authorization;

namespace Streams.Broker.Apis;

/// <summary>
/// DescribeGroups (15), v0-5 (v5 flexible): v1 ThrottleTimeMs, v2 nothing new, v3 AuthorizedOperations, v4 GroupInstanceId
/// per member. v0 stays for librdkafka's legacy rd_kafka_list_groups. Needs Describe on each group
/// (GROUP_AUTHORIZATION_FAILED); authorized operations, when asked for, come from the ACLs (all of the group's
/// operations when authorization is off, as Kafka).
/// </summary>
internal sealed class DescribeGroupsApi : ApiHandler<DescribeGroupsRequest, DescribeGroupsResponse>
{
    public override ValueTask<DescribeGroupsResponse> HandleAsync(RequestContext context, DescribeGroupsRequest request)
    {
        var response = new DescribeGroupsResponse();
        foreach (var groupId in request.Groups)
        {
            if (!context.Authorize(AclOperation.Describe, AclResourceType.Group, groupId))
            {
                response.Groups.Add(new DescribeGroupsResponse.Group { ErrorCode = ErrorCode.GroupAuthorizationFailed, GroupId = groupId });
                continue;
            }

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
                AuthorizedOperations = request.IncludeAuthorizedOperations ? context.AuthorizedOperations(AclResourceType.Group, groupId) : int.MinValue,
            });
        }

        return ValueTask.FromResult(response);
    }
}
