using Streams.Broker.Protocol.Messages;

namespace Streams.Broker.Apis;

/// <summary>
/// SyncGroup (14), v0-3: v1 ThrottleTimeMs, v2 nothing new, v3 GroupInstanceId. The leader sends the assignment;
/// every member's response is parked until it arrives.
/// </summary>
internal sealed class SyncGroupApi : ApiHandler<SyncGroupRequest, SyncGroupResponse>
{
    public override async ValueTask<SyncGroupResponse> HandleAsync(RequestContext context, SyncGroupRequest request)
    {
        // Assignments are copied: the group hands them out after the request frame goes back to the pool.
        var assignments = request.Assignments.Select(a => (a.MemberId, a.Assignment.ToArray())).ToList();
        var result = await context.Broker.Groups.SyncAsync(request.GroupId, request.GenerationId, request.MemberId, request.GroupInstanceId, assignments)
            .WaitAsync(context.CancellationToken).ConfigureAwait(false);

        return new SyncGroupResponse { ErrorCode = result.Error, Assignment = result.Assignment };
    }
}
