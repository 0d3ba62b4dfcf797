using Streams.Broker.Protocol;
using Streams.Broker.Protocol.Messages;
using Streams.Broker.Security.Authorization;

namespace Streams.Broker.Apis;

/// <summary>
/// LeaveGroup (13), v0-5: v1 ThrottleTimeMs; v3 batches members, each by member id or group instance id (KIP-345,
/// how admin tools remove static members); v4 flexible; v5 a Reason per member (logged by Kafka, ignored here).
/// librdkafka sends v1 only. Needs Read on the group (GROUP_AUTHORIZATION_FAILED for the whole request). In a batch
/// each member gets its own error and the top-level code stays NONE unless the group itself is refused.
/// </summary>
internal sealed class LeaveGroupApi : ApiHandler<LeaveGroupRequest, LeaveGroupResponse>
{
    private const short FirstBatchedVersion = 3;

    public override ValueTask<LeaveGroupResponse> HandleAsync(RequestContext context, LeaveGroupRequest request)
    {
        var groups = context.Broker.Groups;
        if (!context.Authorize(AclOperation.Read, AclResourceType.Group, request.GroupId))
        {
            return ValueTask.FromResult(new LeaveGroupResponse { ErrorCode = ErrorCode.GroupAuthorizationFailed });
        }

        if (context.ApiVersion < FirstBatchedVersion)
        {
            return ValueTask.FromResult(new LeaveGroupResponse { ErrorCode = groups.Leave(request.GroupId, request.MemberId) });
        }

        if (request.GroupId.Length == 0)
        {
            return ValueTask.FromResult(new LeaveGroupResponse { ErrorCode = ErrorCode.InvalidGroupId });
        }

        return ValueTask.FromResult(new LeaveGroupResponse
        {
            Members = [.. request.Members.Select(m => new LeaveGroupResponse.MemberResponse
            {
                MemberId = m.MemberId,
                GroupInstanceId = m.GroupInstanceId,
                ErrorCode = groups.Leave(request.GroupId, m.MemberId, m.GroupInstanceId),
            })],
        });
    }
}
