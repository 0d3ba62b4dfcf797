using Streams.Broker.Protocol;
using Streams.Broker.Protocol.Messages;
using Streams.Broker.Security.Authorization;

namespace Streams.Broker.Apis;

/// <summary>
/// SyncGroup (14), v0-4: v1 ThrottleTimeMs, v2 nothing new, v3 GroupInstanceId, v4 flexible. The leader sends the assignment;
/// every member's response is parked until it arrives. Needs Read on the group (GROUP_AUTHORIZATION_FAILED).
/// </summary>
internal sealed class SyncGroupApi : ApiHandler<SyncGroupRequest, SyncGroupResponse>
{
    public override async ValueTask<SyncGroupResponse> HandleAsync(RequestContext context, SyncGroupRequest request)
    {
        if (!context.Authorize(AclOperation.Read, AclResourceType.Group, request.GroupId))
        {
            return new SyncGroupResponse { ErrorCode = ErrorCode.GroupAuthorizationFailed };
        }

        // Assignments are copied: the group hands them out after the request frame goes back to the pool.
        var assignments = request.Assignments.Select(a => (a.MemberId, a.Assignment.ToArray())).ToList();
        var result = await context.Broker.Groups.SyncAsync(request.GroupId, request.GenerationId, request.MemberId, request.GroupInstanceId, assignments)
            .WaitAsync(context.CancellationToken).ConfigureAwait(false);

        return new SyncGroupResponse { ErrorCode = result.Error, Assignment = result.Assignment };
    }
}
