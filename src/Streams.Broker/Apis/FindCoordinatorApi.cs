using Streams.Broker.Protocol;
using Streams.Broker.Protocol.Messages;
using Streams.Broker.Security.Authorization;

namespace Streams.Broker.Apis;

/// <summary>
/// FindCoordinator (10), v0-2: v1 adds KeyType (0 group, 1 transaction), ThrottleTimeMs and ErrorMessage.
/// On a single node the coordinator for every key is this broker. Needs Describe on the group
/// (GROUP_AUTHORIZATION_FAILED) or the transactional id (TRANSACTIONAL_ID_AUTHORIZATION_FAILED).
/// </summary>
internal sealed class FindCoordinatorApi : ApiHandler<FindCoordinatorRequest, FindCoordinatorResponse>
{
    private const sbyte TransactionKey = 1;

    public override ValueTask<FindCoordinatorResponse> HandleAsync(RequestContext context, FindCoordinatorRequest request) =>
        Denied(context, request) is { } denied
            ? ValueTask.FromResult(new FindCoordinatorResponse { ErrorCode = denied, ErrorMessage = "Authorization failed.", NodeId = -1, Host = string.Empty, Port = -1 })
            : ValueTask.FromResult(new FindCoordinatorResponse
        {
            ErrorMessage = null,
            NodeId = context.Broker.NodeId,
            Host = context.AdvertisedHost,
            Port = context.AdvertisedPort,
        });

    private static ErrorCode? Denied(RequestContext context, FindCoordinatorRequest request) => request.KeyType == TransactionKey
        ? context.Authorize(AclOperation.Describe, AclResourceType.TransactionalId, request.Key) ? null : ErrorCode.TransactionalIdAuthorizationFailed
        : context.Authorize(AclOperation.Describe, AclResourceType.Group, request.Key) ? null : ErrorCode.GroupAuthorizationFailed;
}
