using Streams.Broker.Protocol;
using Streams.Broker.Protocol.Messages;

namespace Streams.Broker.Apis;

/// <summary>
/// SaslHandshake (17), v0-1: the client names a mechanism; v0 is followed by raw SASL tokens, v1 by SaslAuthenticate.
/// Only SASL listeners serve it (elsewhere ILLEGAL_SASL_STATE, as Kafka answers on a listener without SASL). An
/// unsupported mechanism gets UNSUPPORTED_SASL_MECHANISM with the enabled ones, then the connection is closed.
/// </summary>
internal sealed class SaslHandshakeApi : ApiHandler<SaslHandshakeRequest, SaslHandshakeResponse>
{
    public override ValueTask<SaslHandshakeResponse> HandleAsync(RequestContext context, SaslHandshakeRequest request)
    {
        if (context.Authenticator is not { } authenticator)
        {
            context.CloseConnection = true;
            return ValueTask.FromResult(new SaslHandshakeResponse { ErrorCode = ErrorCode.IllegalSaslState, Mechanisms = [] });
        }

        var (error, mechanisms) = authenticator.Handshake(request.Mechanism, context.ApiVersion);
        context.CloseConnection = error != ErrorCode.None;
        return ValueTask.FromResult(new SaslHandshakeResponse { ErrorCode = error, Mechanisms = [.. mechanisms] });
    }
}
