using Streams.Broker.Protocol.Messages;

namespace Streams.Broker.Apis;

/// <summary>
/// LeaveGroup (13), v0-1: v1 ThrottleTimeMs. librdkafka never sends the batched v3+ form, and static members
/// never leave explicitly (they go by session timeout).
/// </summary>
internal sealed class LeaveGroupApi : ApiHandler<LeaveGroupRequest, LeaveGroupResponse>
{
    public override ValueTask<LeaveGroupResponse> HandleAsync(RequestContext context, LeaveGroupRequest request) =>
        ValueTask.FromResult(new LeaveGroupResponse { ErrorCode = context.Broker.Groups.Leave(request.GroupId, request.MemberId) });
}
