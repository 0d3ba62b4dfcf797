using Streams.Broker.Protocol;
using Streams.Broker.Protocol.Messages;
using Streams.Broker.Security.Authorization;

namespace Streams.Broker.Apis;

/// <summary>
/// Heartbeat (12), v0-4: v1 ThrottleTimeMs, v2 nothing new, v3 GroupInstanceId, v4 flexible. Needs Read on the group
/// (GROUP_AUTHORIZATION_FAILED).
/// </summary>
internal sealed class HeartbeatApi : ApiHandler<HeartbeatRequest, HeartbeatResponse>
{
    public override ValueTask<HeartbeatResponse> HandleAsync(RequestContext context, HeartbeatRequest request) =>
        ValueTask.FromResult(new HeartbeatResponse
        {
            ErrorCode = context.Authorize(AclOperation.Read, AclResourceType.Group, request.GroupId)
                ? context.Broker.Groups.Heartbeat(request.GroupId, request.GenerationId, request.MemberId, request.GroupInstanceId)
                : ErrorCode.GroupAuthorizationFailed,
        });
}
