using Streams.Broker.Protocol;
using Streams.Broker.Protocol.Messages;

namespace Streams.Broker.Apis;

/// <summary>
/// ApiVersions (18), v0-3: v1 ThrottleTimeMs, v3 flexible (client software name and version) but its response
/// header stays v0 (KIP-511). The table is built from the registered handlers, whose ranges come from the message
/// definitions, so it can only advertise what is implemented.
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
