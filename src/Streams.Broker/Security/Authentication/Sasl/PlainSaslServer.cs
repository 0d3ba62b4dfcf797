using System.Security.Cryptography;
using System.Text;

namespace Streams.Broker.Security.Authentication.Sasl;

/// <summary>
/// SASL PLAIN (RFC 4616): one token <c>authzid NUL authcid NUL password</c>, checked against the users of the
/// listener's PlainLoginModule JAAS configuration (<c>user_&lt;name&gt;="&lt;password&gt;"</c>), as Kafka's
/// PlainServerCallbackHandler does. SCRAM users do not log in through PLAIN (nor do they in Kafka).
/// </summary>
internal sealed class PlainSaslServer(IReadOnlyDictionary<string, string> users) : ISaslServer
{
    public const string Name = "PLAIN";

    public string Mechanism => Name;

    public bool IsComplete { get; private set; }

    public string? UserName { get; private set; }

    public byte[] EvaluateResponse(ReadOnlySpan<byte> response)
    {
        var text = Encoding.UTF8.GetString(response);
        var parts = text.Split('\0');
        if (parts.Length != 3)
        {
            throw new SaslAuthenticationException("Authentication failed: Invalid SASL/PLAIN response: expected 3 tokens");
        }

        var (authorizationId, user, password) = (parts[0], parts[1], parts[2]);
        if (user.Length == 0)
        {
            throw new SaslAuthenticationException("Authentication failed: username not specified");
        }

        if (authorizationId.Length > 0 && authorizationId != user)
        {
            throw new SaslAuthenticationException("Authentication failed: Client requested an authorization id that is different from username", user);
        }

        // Compared as hashes so the time taken says nothing about the expected password or whether the user exists.
        var expected = users.GetValueOrDefault(user);
        var matches = CryptographicOperations.FixedTimeEquals(
            SHA256.HashData(Encoding.UTF8.GetBytes(expected ?? "\0no such user")),
            SHA256.HashData(Encoding.UTF8.GetBytes(password)));
        if (expected is null || !matches)
        {
            throw new SaslAuthenticationException("Authentication failed: Invalid username or password", user);
        }

        UserName = user;
        IsComplete = true;
        return [];
    }
}
