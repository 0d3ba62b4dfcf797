using Streams.Broker.Protocol.Messages;

namespace Streams.Broker.Apis;

/// <summary>
/// FindCoordinator (10), v0-2: v1 adds KeyType (0 group, 1 transaction), ThrottleTimeMs and ErrorMessage.
/// On a single node the coordinator for every key is this broker.
/// </summary>
internal sealed class FindCoordinatorApi : ApiHandler<FindCoordinatorRequest, FindCoordinatorResponse>
{
    public override ValueTask<FindCoordinatorResponse> HandleAsync(RequestContext context, FindCoordinatorRequest request) =>
        ValueTask.FromResult(new FindCoordinatorResponse
        {
            ErrorMessage = null,
            NodeId = context.Broker.NodeId,
            Host = context.AdvertisedHost,
            Port = context.AdvertisedPort,
        });
}
