using Streams.Broker.Protocol;
using Streams.Broker.Protocol.Messages;
using Streams.Broker.Security.Authorization;

namespace Streams.Broker.Apis;

/// <summary>
/// LeaveGroup (13), v0-1: v1 ThrottleTimeMs. librdkafka never sends the batched v3+ form, and static members
/// never leave explicitly (they go by session timeout). Needs Read on the group (GROUP_AUTHORIZATION_FAILED).
/// </summary>
internal sealed class LeaveGroupApi : ApiHandler<LeaveGroupRequest, LeaveGroupResponse>
{
    public override ValueTask<LeaveGroupResponse> HandleAsync(RequestContext context, LeaveGroupRequest request) =>
        ValueTask.FromResult(new LeaveGroupResponse
        {
            ErrorCode = context.Authorize(AclOperation.Read, AclResourceType.Group, request.GroupId)
                ? context.Broker.Groups.Leave(request.GroupId, request.MemberId)
                : ErrorCode.GroupAuthorizationFailed,
        });
}
