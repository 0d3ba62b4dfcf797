using Streams.Broker.Protocol;
using Streams.Broker.Protocol.Messages;

namespace Streams.Broker.Apis;

/// <summary>
/// ApiVersions (18), v0-4: v1 ThrottleTimeMs, v3 flexible (client software name and version) but its response
/// header stays v0 (KIP-511), with the supported and finalized features of a single-node KRaft cluster
/// (<see cref="BrokerFeatures"/>); v4 also lists supported features whose minimum level is 0, which v3 leaves out
/// because older clients fail to parse them (KAFKA-17492). The table is built from the registered handlers, whose
/// ranges come from the message definitions, so it can only advertise what is implemented.
/// </summary>
internal sealed class ApiVersionsApi(ApiRegistry registry) : ApiHandler<ApiVersionsRequest, ApiVersionsResponse>
{
    public override ValueTask<ApiVersionsResponse> HandleAsync(RequestContext context, ApiVersionsRequest request)
    {
        // v3 carries the client's software name and version; Kafka validates them, we only accept them (librdkafka
        // falls back to v0 on INVALID_REQUEST, which would cost every connection a round trip for nothing).
        var response = new ApiVersionsResponse();
        foreach (var handler in registry.Handlers)
        {
            response.ApiKeys.Add(Entry(handler));
        }

        if (context.ApiVersion >= 3)
        {
            var features = BrokerFeatures.Of(registry);
            response.SupportedFeatures = [.. features
                .Where(f => context.ApiVersion >= 4 || f.MinLevel > 0)
                .Select(f => new ApiVersionsResponse.SupportedFeatureKey { Name = f.Name, MinVersion = f.MinLevel, MaxVersion = f.MaxLevel })];

            // A feature finalized at level 0 is off, and Kafka leaves it out of the finalized list.
            response.FinalizedFeatures = [.. features
                .Where(f => f.FinalizedLevel > 0)
                .Select(f => new ApiVersionsResponse.FinalizedFeatureKey { Name = f.Name, MinVersionLevel = f.FinalizedLevel, MaxVersionLevel = f.FinalizedLevel })];
            response.FinalizedFeaturesEpoch = BrokerFeatures.FinalizedEpoch;
        }

        return ValueTask.FromResult(response);
    }

    /// <summary>The v0-format reply to a version we do not know: UNSUPPORTED_VERSION and our own ApiVersions range.</summary>
    public static void WriteUnsupportedVersion(KafkaWriter response, ApiHandler self)
    {
        response.Flexible = false;
        new ApiVersionsResponse { ErrorCode = ErrorCode.UnsupportedVersion, ApiKeys = [Entry(self)] }.Write(response, version: 0);
    }

    private static ApiVersionsResponse.ApiVersion Entry(ApiHandler handler) =>
        new() { ApiKey = (short)handler.Key, MinVersion = handler.MinVersion, MaxVersion = handler.MaxVersion };
}
