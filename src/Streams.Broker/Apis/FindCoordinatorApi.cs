using Streams.Broker.Protocol;

namespace Streams.Broker.Apis;

/// <summary>
/// FindCoordinator (10), v0-2: v1 adds KeyType (0 group, 1 transaction), ThrottleTimeMs and ErrorMessage.
/// On a single node the coordinator for every key is this broker.
/// </summary>
internal sealed class FindCoordinatorApi : ApiHandler
{
    public override ApiKey Key => ApiKey.FindCoordinator;

    public override short MinVersion => 0;

    public override short MaxVersion => 2;

    public override ValueTask HandleAsync(RequestContext context, KafkaReader request, KafkaWriter response)
    {
        request.ReadString();
        if (context.ApiVersion >= 1)
        {
            request.ReadInt8();
            response.WriteInt32(0);
        }

        response.WriteErrorCode(ErrorCode.None);
        if (context.ApiVersion >= 1)
        {
            response.WriteNullableString(null);
        }

        response.WriteInt32(context.Broker.NodeId);
        response.WriteString(context.Broker.AdvertisedHost);
        response.WriteInt32(context.Broker.AdvertisedPort);
        return ValueTask.CompletedTask;
    }
}
