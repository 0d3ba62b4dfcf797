using Streams.Broker.Protocol;
using Streams.Broker.Protocol.Messages;
using Streams.Broker.Security.Authorization;

namespace Streams.Broker.Apis;

/// <summary>
/// DeleteGroups (42), v0-2 (identical but for throttling semantics; v2 flexible): Empty groups go with their offsets; active ones
/// get NON_EMPTY_GROUP. Needs Delete on each group (GROUP_AUTHORIZATION_FAILED).
/// </summary>
internal sealed class DeleteGroupsApi : ApiHandler<DeleteGroupsRequest, DeleteGroupsResponse>
{
    public override ValueTask<DeleteGroupsResponse> HandleAsync(RequestContext context, DeleteGroupsRequest request) =>
        ValueTask.FromResult(new DeleteGroupsResponse
        {
            Results = [.. request.GroupsNames.Select(id => new DeleteGroupsResponse.Group
            {
                GroupId = id,
                ErrorCode = context.Authorize(AclOperation.Delete, AclResourceType.Group, id) ? context.Broker.Groups.DeleteGroup(id) : ErrorCode.GroupAuthorizationFailed,
            })],
        });
}
