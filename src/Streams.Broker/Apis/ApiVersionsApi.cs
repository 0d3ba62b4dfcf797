using Streams.Broker.Protocol;

namespace Streams.Broker.Apis;

/// <summary>
/// ApiVersions (18), v0-3; v3 is flexible but its response header stays v0 (KIP-511).
/// The table is built from the registered handlers, so it can only advertise what is implemented.
/// </summary>
internal sealed class ApiVersionsApi(ApiRegistry registry) : ApiHandler
{
    public override ApiKey Key => ApiKey.ApiVersions;

    public override short MinVersion => 0;

    public override short MaxVersion => 3;

    public override short FirstFlexibleVersion => 3;

    public override ValueTask HandleAsync(RequestContext context, KafkaReader request, KafkaWriter response)
    {
        // v3 carries the client's software name and version; Kafka validates them, we only accept them (librdkafka
        // falls back to v0 on INVALID_REQUEST, which would cost every connection a round trip for nothing).
        response.WriteErrorCode(ErrorCode.None);
        var handlers = registry.Handlers.ToList();
        response.WriteArrayLength(handlers.Count);
        foreach (var handler in handlers)
        {
            response.WriteInt16((short)handler.Key);
            response.WriteInt16(handler.MinVersion);
            response.WriteInt16(handler.MaxVersion);
            response.WriteTaggedFields();
        }

        if (context.ApiVersion >= 1)
        {
            response.WriteInt32(0);
        }

        response.WriteTaggedFields();
        return ValueTask.CompletedTask;
    }

    /// <summary>The v0-format reply to a version we do not know: UNSUPPORTED_VERSION and our own ApiVersions range.</summary>
    public static void WriteUnsupportedVersion(KafkaWriter response, ApiHandler self)
    {
        response.Flexible = false;
        response.WriteErrorCode(ErrorCode.UnsupportedVersion);
        response.WriteArrayLength(1);
        response.WriteInt16((short)self.Key);
        response.WriteInt16(self.MinVersion);
        response.WriteInt16(self.MaxVersion);
    }
}
