using Microsoft.Extensions.Logging;
using Streams.Broker.Protocol;
using Streams.Broker.Security.Authentication.Scram;

namespace Streams.Broker.Security.Authentication.Sasl;

/// <summary>
/// The SASL state of one connection on a SASL listener, as Kafka's SaslServerAuthenticator keeps it: before
/// authentication only ApiVersions, SaslHandshake and then SaslAuthenticate are served (anything else closes the
/// connection); SaslHandshake v0 is followed by raw size-prefixed SASL tokens instead of SaslAuthenticate requests.
/// With <c>connections.max.reauth.ms</c> the session has a lifetime (told to v1+ clients); the client re-authenticates
/// with SaslHandshake + SaslAuthenticate on the same connection, as the same principal, and a connection whose
/// session has expired is closed at its next other request.
/// </summary>
internal sealed class SaslAuthenticator(
    SaslListenerSettings settings, ScramCredentialStore credentials, string listenerName, string client, ILogger audit, TimeProvider time)
{
    private ISaslServer? _server;
    private bool _awaitingToken;
    private long _expiresAt = long.MaxValue;

    /// <summary>The authenticated principal; null until the first authentication completes.</summary>
    public KafkaPrincipal? Principal { get; private set; }

    /// <summary>The mechanism of the authenticated session.</summary>
    public string? Mechanism { get; private set; }

    /// <summary>True after a SaslHandshake v0: the next frame is a raw SASL token, not a request.</summary>
    public bool ExpectsRawToken { get; private set; }

    private bool Expired => time.GetUtcNow().ToUnixTimeMilliseconds() >= _expiresAt;

    /// <summary>Why a request may not be served now (the connection is then closed), or null when it may.</summary>
    public string? Refusal(ApiKey key)
    {
        var saslStep = key == ApiKey.SaslHandshake ? !_awaitingToken : key == ApiKey.SaslAuthenticate && _awaitingToken;
        if (key is ApiKey.SaslHandshake or ApiKey.SaslAuthenticate)
        {
            return saslStep ? null : $"unexpected {key} in SASL state {(_awaitingToken ? "awaiting a token" : "awaiting a handshake")}";
        }

        if (Principal is null)
        {
            return key == ApiKey.ApiVersions ? null : $"unexpected {key} request before SASL authentication";
        }

        return Expired ? $"{key} request after the SASL session expired without re-authentication (connections.max.reauth.ms)" : null;
    }

    /// <summary>SaslHandshake: picks the mechanism. Any error closes the connection after the response.</summary>
    public (ErrorCode Error, IReadOnlyList<string> Mechanisms) Handshake(string mechanism, short version)
    {
        if (!settings.EnabledMechanisms.Contains(mechanism, StringComparer.Ordinal))
        {
            Fail("", mechanism, $"mechanism {mechanism} is not enabled");
            return (ErrorCode.UnsupportedSaslMechanism, settings.EnabledMechanisms);
        }

        if (Principal is not null && (mechanism != Mechanism || version == 0))
        {
            Fail(Principal.Name, mechanism, $"re-authentication must use SaslHandshake v1+ with the session's mechanism {Mechanism}");
            return (ErrorCode.IllegalSaslState, settings.EnabledMechanisms);
        }

        _server = settings.CreateServer(mechanism, credentials, time);
        _awaitingToken = true;
        ExpectsRawToken = version == 0;
        return (ErrorCode.None, settings.EnabledMechanisms);
    }

    /// <summary>One token of the exchange (SaslAuthenticate, or a raw token after a v0 handshake).</summary>
    /// <returns>The challenge for the client and, once complete, the session lifetime (0 when sessions do not expire).</returns>
    /// <exception cref="SaslAuthenticationException">Authentication failed (audited); the connection must close after the response.</exception>
    public (byte[] Challenge, long SessionLifetimeMs) Authenticate(ReadOnlySpan<byte> token)
    {
        var server = _server ?? throw new InvalidOperationException("no SASL exchange in progress");
        byte[] challenge;
        try
        {
            challenge = server.EvaluateResponse(token);
        }
        catch (SaslAuthenticationException ex)
        {
            Fail(ex.UserName ?? "", server.Mechanism, ex.Message);
            throw;
        }

        if (!server.IsComplete)
        {
            return (challenge, 0);
        }

        var principal = KafkaPrincipal.User(server.UserName!);
        if (Principal is not null && principal != Principal)
        {
            var message = $"Cannot change principals during re-authentication from {Principal}: {principal}";
            Fail(principal.Name, server.Mechanism, message);
            throw new SaslAuthenticationException(message, principal.Name);
        }

        Principal = principal;
        Mechanism = server.Mechanism;
        _server = null;
        _awaitingToken = false;
        ExpectsRawToken = false;
        var lifetime = SessionLifetimeMs(server.CredentialExpiresAtMs, out _expiresAt);
        SecurityAudit.AuthenticationSucceeded(audit, principal.ToString(), server.Mechanism, listenerName, client);
        return (challenge, lifetime);
    }

    /// <summary>
    /// As Kafka: the smaller of <c>connections.max.reauth.ms</c> and what is left of an expiring credential (an
    /// OAUTHBEARER token's <c>exp</c>), so a client must re-authenticate with a fresh token before its token expires.
    /// 0 (never expires) only when neither applies; a credential already past its time ends the session at once.
    /// </summary>
    private long SessionLifetimeMs(long? credentialExpiresAtMs, out long expiresAt)
    {
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        long? lifetime = settings.MaxReauthMs > 0 ? settings.MaxReauthMs : null;
        if (credentialExpiresAtMs is { } credentialExpiry)
        {
            var left = Math.Max(0, credentialExpiry - now);
            lifetime = lifetime is { } max ? Math.Min(max, left) : left;
        }

        expiresAt = lifetime is { } ms ? now + ms : long.MaxValue;
        return lifetime ?? 0;
    }

    private void Fail(string user, string mechanism, string reason) =>
        SecurityAudit.AuthenticationFailed(audit, user, mechanism, listenerName, client, reason);
}
