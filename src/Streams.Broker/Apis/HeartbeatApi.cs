using Streams.Broker.Protocol.Messages;

namespace Streams.Broker.Apis;

/// <summary>Heartbeat (12), v0-3: v1 ThrottleTimeMs, v2 nothing new, v3 GroupInstanceId.</summary>
internal sealed class HeartbeatApi : ApiHandler<HeartbeatRequest, HeartbeatResponse>
{
    public override ValueTask<HeartbeatResponse> HandleAsync(RequestContext context, HeartbeatRequest request) =>
        ValueTask.FromResult(new HeartbeatResponse
        {
            ErrorCode = context.Broker.Groups.Heartbeat(request.GroupId, request.GenerationId, request.MemberId, request.GroupInstanceId),
        });
}
