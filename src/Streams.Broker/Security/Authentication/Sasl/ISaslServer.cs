namespace Streams.Broker.Security.Authentication.Sasl;

/// <summary>The broker's side of one SASL exchange: takes each client token, answers a challenge, until complete.</summary>
internal interface ISaslServer
{
    string Mechanism { get; }

    /// <summary>True once the client is authenticated (the last challenge still goes to the client).</summary>
    bool IsComplete { get; }

    /// <summary>The authenticated user, once complete.</summary>
    string? UserName { get; }

    /// <summary>When the credential stops being valid (Unix ms), for credentials that expire (OAUTHBEARER tokens).</summary>
    long? CredentialExpiresAtMs => null;

    /// <summary>Evaluates a client token and returns the next challenge.</summary>
    /// <exception cref="SaslAuthenticationException">The client failed to authenticate.</exception>
    byte[] EvaluateResponse(ReadOnlySpan<byte> response);
}

/// <summary>An authentication failure: the message goes to the client (SASL_AUTHENTICATION_FAILED) and the audit log.</summary>
/// <param name="message">What the client is told; never says whether the user exists.</param>
/// <param name="userName">The user the client claimed, when known (audit only).</param>
internal sealed class SaslAuthenticationException(string message, string? userName = null) : Exception(message)
{
    public string? UserName { get; } = userName;
}
