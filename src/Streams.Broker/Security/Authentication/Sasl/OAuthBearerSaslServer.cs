using System.Text;
using Streams.Broker.Security.Authentication.OAuthBearer;

namespace Streams.Broker.Security.Authentication.Sasl;

/// <summary>
/// SASL OAUTHBEARER (RFC 7628) as Kafka's broker serves it. The client's first message is a GS2 header
/// (<c>n,</c> and an optional <c>a=authzid</c>, then <c>,</c>) followed by key=value pairs each ended by 0x01, between
/// a leading 0x01 and a final 0x01; the <c>auth</c> pair carries <c>Bearer &lt;token&gt;</c>, any other pair is an
/// extension (accepted and ignored, as Kafka's unsecured validator accepts every extension). A valid token completes
/// the exchange with an empty answer. An invalid one is answered with RFC 7628's JSON error
/// (<c>{"status":"invalid_token"}</c>, or <c>insufficient_scope</c> with the required scope) and the exchange stays
/// open for the client's 0x01 acknowledgement, after which authentication fails.
/// </summary>
internal sealed class OAuthBearerSaslServer(UnsecuredJwtValidator validator, TimeProvider time) : ISaslServer
{
    public const string Name = "OAUTHBEARER";

    private const char Separator = '\u0001';
    private const string InvalidFirstMessage = "Authentication failed: Invalid OAUTHBEARER client first message";

    private string? _pendingError;
    private string? _claimedUser;

    public string Mechanism => Name;

    public bool IsComplete { get; private set; }

    public string? UserName { get; private set; }

    public long? CredentialExpiresAtMs { get; private set; }

    public byte[] EvaluateResponse(ReadOnlySpan<byte> response)
    {
        if (_pendingError is not null)
        {
            // RFC 7628 3.2.3: after an error the client sends a lone 0x01 and the server fails the exchange. Anything
            // else fails it too: one exchange, one token.
            throw new SaslAuthenticationException(_pendingError, _claimedUser);
        }

        if (IsComplete)
        {
            throw new SaslAuthenticationException("Authentication failed: unexpected OAUTHBEARER message after the exchange completed", UserName);
        }

        var (authorizationId, token) = ParseClientFirst(response);
        var (valid, refusal) = validator.Validate(token, time.GetUtcNow().ToUnixTimeMilliseconds());
        if (valid is null)
        {
            var json = ErrorJson(refusal!);
            _claimedUser = authorizationId.Length > 0 ? authorizationId : null;
            _pendingError = $"Authentication failed: {refusal!.Description}; OAUTHBEARER error {json}";
            return Encoding.UTF8.GetBytes(json);
        }

        if (authorizationId.Length > 0 && authorizationId != valid.PrincipalName)
        {
            throw new SaslAuthenticationException(
                $"Authentication failed: Client requested an authorization id ({authorizationId}) that is different from the token's principal name ({valid.PrincipalName})",
                valid.PrincipalName);
        }

        UserName = valid.PrincipalName;
        CredentialExpiresAtMs = valid.ExpiresAtMs;
        IsComplete = true;
        return [];
    }

    /// <summary>RFC 7628 3.2.2's error: <c>status</c>, and <c>scope</c> when the token lacked a required one.</summary>
    internal static string ErrorJson(OAuthBearerRefusal refusal) =>
        refusal.Scope is null ? $"{{\"status\":\"{refusal.Status}\"}}" : $"{{\"status\":\"{refusal.Status}\", \"scope\":\"{refusal.Scope}\"}}";

    private static (string AuthorizationId, string Token) ParseClientFirst(ReadOnlySpan<byte> response)
    {
        foreach (var b in response)
        {
            if (b is 0 or > 0x7F)
            {
                throw new SaslAuthenticationException(InvalidFirstMessage);
            }
        }

        var message = Encoding.ASCII.GetString(response);

        // gs2-header: "n," (the client does not want channel binding) or "y," (it would, but thinks we cannot) and
        // an optional authzid, whose ',' and '=' are escaped as =2C and =3D.
        var firstComma = message.IndexOf(',', StringComparison.Ordinal);
        var secondComma = firstComma < 0 ? -1 : message.IndexOf(',', firstComma + 1);
        if (secondComma < 0 || message[..firstComma] is not ("n" or "y"))
        {
            throw new SaslAuthenticationException(InvalidFirstMessage);
        }

        var authzid = message[(firstComma + 1)..secondComma];
        if (authzid.Length > 0 && !authzid.StartsWith("a=", StringComparison.Ordinal))
        {
            throw new SaslAuthenticationException(InvalidFirstMessage);
        }

        var authorizationId = authzid.Length == 0 ? "" : authzid[2..].Replace("=2C", ",", StringComparison.Ordinal).Replace("=3D", "=", StringComparison.Ordinal);

        // 0x01 key=value 0x01 ... 0x01: the pairs, each ended by 0x01, then one more 0x01.
        var rest = message[(secondComma + 1)..];
        if (rest.Length < 2 || rest[0] != Separator || rest[^1] != Separator || rest[^2] != Separator)
        {
            throw new SaslAuthenticationException(InvalidFirstMessage);
        }

        string? auth = null;
        foreach (var pair in rest[1..^2].Split(Separator))
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0 || !pair[..equals].All(char.IsAsciiLetter))
            {
                throw new SaslAuthenticationException(InvalidFirstMessage);
            }

            if (pair[..equals] == "auth")
            {
                auth = auth is null ? pair[(equals + 1)..] : throw new SaslAuthenticationException(InvalidFirstMessage);
            }
        }

        // auth = "Bearer" 1*SP token; the token is a JWT's characters (base64url and dots).
        var space = auth?.IndexOf(' ', StringComparison.Ordinal) ?? -1;
        if (auth is null || space <= 0 || !auth[..space].Equals("Bearer", StringComparison.OrdinalIgnoreCase))
        {
            throw new SaslAuthenticationException("Authentication failed: the OAUTHBEARER client first message has no auth=Bearer <token>");
        }

        var token = auth[space..].TrimStart(' ');
        if (token.Length == 0 || !token.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
        {
            throw new SaslAuthenticationException("Authentication failed: the OAUTHBEARER token is not a JWT (base64url parts separated by dots)");
        }

        return (authorizationId, token);
    }
}
