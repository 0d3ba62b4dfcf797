using Streams.Broker.Protocol;
using Streams.Broker.Protocol.Messages;
using Streams.Broker.Security.Authentication.Sasl;

namespace Streams.Broker.Apis;

/// <summary>
/// SaslAuthenticate (36), v0-2: one SASL token each way; v1 adds SessionLifetimeMs (<c>connections.max.reauth.ms</c>,
/// KIP-368), v2 is flexible. A failure answers SASL_AUTHENTICATION_FAILED with the reason and closes the connection.
/// </summary>
internal sealed class SaslAuthenticateApi : ApiHandler<SaslAuthenticateRequest, SaslAuthenticateResponse>
{
    public override ValueTask<SaslAuthenticateResponse> HandleAsync(RequestContext context, SaslAuthenticateRequest request)
    {
        if (context.Authenticator is not { } authenticator)
        {
            context.CloseConnection = true;
            return ValueTask.FromResult(new SaslAuthenticateResponse { ErrorCode = ErrorCode.IllegalSaslState, ErrorMessage = "SaslAuthenticate on a listener without SASL" });
        }

        try
        {
            var (challenge, lifetime) = authenticator.Authenticate(request.AuthBytes.Span);
            return ValueTask.FromResult(new SaslAuthenticateResponse { AuthBytes = challenge, SessionLifetimeMs = lifetime });
        }
        catch (SaslAuthenticationException ex)
        {
            context.CloseConnection = true;
            return ValueTask.FromResult(new SaslAuthenticateResponse { ErrorCode = ErrorCode.SaslAuthenticationFailed, ErrorMessage = ex.Message, AuthBytes = ReadOnlyMemory<byte>.Empty });
        }
    }
}
