using Streams.Broker.Protocol;
using Streams.Broker.Protocol.Messages;
using Streams.Broker.Security.Authorization;

namespace Streams.Broker.Apis;

/// <summary>
/// FindCoordinator (10), v0-4: v1 adds KeyType (0 group, 1 transaction), ThrottleTimeMs and ErrorMessage; v3 is
/// flexible; v4 batches (KIP-699): many CoordinatorKeys in, one Coordinators entry per key out, and the single-key
/// fields unused. On a single node the coordinator for every key is this broker. Each key needs Describe on the group
/// (GROUP_AUTHORIZATION_FAILED) or the transactional id (TRANSACTIONAL_ID_AUTHORIZATION_FAILED); another key type is
/// INVALID_REQUEST, as Kafka answers it.
/// </summary>
internal sealed class FindCoordinatorApi : ApiHandler<FindCoordinatorRequest, FindCoordinatorResponse>
{
    private const sbyte GroupKey = 0;
    private const sbyte TransactionKey = 1;
    private const short FirstBatchedVersion = 4;

    public override ValueTask<FindCoordinatorResponse> HandleAsync(RequestContext context, FindCoordinatorRequest request)
    {
        if (context.ApiVersion >= FirstBatchedVersion)
        {
            return ValueTask.FromResult(new FindCoordinatorResponse
            {
                Coordinators = [.. request.CoordinatorKeys.Select(key =>
                {
                    var (error, message) = Find(context, request.KeyType, key);
                    var found = error == ErrorCode.None;
                    return new FindCoordinatorResponse.Coordinator
                    {
                        Key = key,
                        ErrorCode = error,
                        ErrorMessage = message,
                        NodeId = found ? context.Broker.NodeId : -1,
                        Host = found ? context.AdvertisedHost : string.Empty,
                        Port = found ? context.AdvertisedPort : -1,
                    };
                })],
            });
        }

        var (code, text) = Find(context, request.KeyType, request.Key);
        return ValueTask.FromResult(code != ErrorCode.None
            ? new FindCoordinatorResponse { ErrorCode = code, ErrorMessage = text, NodeId = -1, Host = string.Empty, Port = -1 }
            : new FindCoordinatorResponse
            {
                ErrorMessage = null,
                NodeId = context.Broker.NodeId,
                Host = context.AdvertisedHost,
                Port = context.AdvertisedPort,
            });
    }

    private static (ErrorCode Error, string? Message) Find(RequestContext context, sbyte keyType, string key) => keyType switch
    {
        TransactionKey => context.Authorize(AclOperation.Describe, AclResourceType.TransactionalId, key)
            ? (ErrorCode.None, null) : (ErrorCode.TransactionalIdAuthorizationFailed, "Authorization failed."),
        GroupKey => context.Authorize(AclOperation.Describe, AclResourceType.Group, key)
            ? (ErrorCode.None, null) : (ErrorCode.GroupAuthorizationFailed, "Authorization failed."),
        _ => (ErrorCode.InvalidRequest, $"Unsupported key type {keyType}."),
    };
}
