using System.Security.Cryptography;
using System.Text;
using Streams.Broker.Security.Authentication.Scram;

namespace Streams.Broker.Security.Authentication.Sasl;

/// <summary>
/// The server side of SCRAM (RFC 5802; SHA-256 per RFC 7677, SHA-512 as Kafka adds it): client-first, server-first
/// (combined nonce, salt, iterations), client-final (proof checked against the stored key), server-final (the
/// server signature the client checks). An unknown user goes through the same steps with a made-up credential and
/// fails at the proof with the same message as a wrong password, so neither the answer nor its timing says which
/// user names exist.
/// </summary>
internal sealed class ScramSaslServer(ScramMechanism mechanism, ScramCredentialStore credentials) : ISaslServer
{
    private const string Failed = "Authentication failed: Invalid user credentials";

    /// <summary>Made-up salts for unknown users: stable per name for this process, so probing twice sees the same salt.</summary>
    private static readonly byte[] DecoySecret = RandomNumberGenerator.GetBytes(32);

    private int _step;
    private string _clientFirstBare = "";
    private string _serverFirst = "";
    private string _nonce = "";
    private string _clientNonce = "";
    private string _gs2Header = "";
    private ScramCredential? _credential;
    private string _user = "";

    public string Mechanism => mechanism.Name;

    public bool IsComplete { get; private set; }

    public string? UserName => IsComplete ? _user : null;

    public byte[] EvaluateResponse(ReadOnlySpan<byte> response)
    {
        var message = Encoding.UTF8.GetString(response);
        switch (_step++)
        {
            case 0:
                return Encoding.UTF8.GetBytes(ClientFirst(message));
            case 1:
                return Encoding.UTF8.GetBytes(ClientFinal(message));
            default:
                throw new SaslAuthenticationException("Authentication failed: unexpected SCRAM message after the exchange completed", _user);
        }
    }

    private string ClientFirst(string message)
    {
        // gs2-header: "n," or "y," (no channel binding; "p=" asks for one, which Kafka does not offer), then [a=authzid],
        var firstComma = message.IndexOf(',', StringComparison.Ordinal);
        var secondComma = firstComma < 0 ? -1 : message.IndexOf(',', firstComma + 1);
        if (secondComma < 0 || message[..firstComma] is not ("n" or "y"))
        {
            throw new SaslAuthenticationException("Authentication failed: invalid SCRAM client-first message (channel binding is not supported)");
        }

        _gs2Header = message[..(secondComma + 1)];
        var authorizationId = message[(firstComma + 1)..secondComma];
        _clientFirstBare = message[(secondComma + 1)..];
        var attributes = ScramMechanism.Attributes(_clientFirstBare);
        if (!attributes.TryGetValue('n', out var saslName) || !attributes.TryGetValue('r', out var clientNonce) || clientNonce.Length == 0)
        {
            throw new SaslAuthenticationException("Authentication failed: SCRAM client-first message lacks the user name or nonce");
        }

        _user = saslName.Replace("=2C", ",", StringComparison.Ordinal).Replace("=3D", "=", StringComparison.Ordinal);
        if (authorizationId.Length > 0 && authorizationId != "a=" + saslName)
        {
            throw new SaslAuthenticationException("Authentication failed: Authorization id does not match the user name", _user);
        }

        // Extensions (after the nonce) are ignored, except tokenauth: delegation tokens are not supported here.
        if (_clientFirstBare.Contains(",tokenauth=true", StringComparison.Ordinal))
        {
            throw new SaslAuthenticationException("Authentication failed: delegation tokens are not supported", _user);
        }

        _credential = credentials.Find(_user, mechanism) ?? Decoy(_user);
        _clientNonce = clientNonce;
        _nonce = clientNonce + Convert.ToBase64String(RandomNumberGenerator.GetBytes(24));
        _serverFirst = $"r={_nonce},s={Convert.ToBase64String(_credential.Salt)},i={_credential.Iterations}";
        return _serverFirst;
    }

    private string ClientFinal(string message)
    {
        var proofAt = message.LastIndexOf(",p=", StringComparison.Ordinal);
        if (proofAt < 0)
        {
            throw new SaslAuthenticationException("Authentication failed: SCRAM client-final message has no proof", _user);
        }

        var withoutProof = message[..proofAt];
        var attributes = ScramMechanism.Attributes(withoutProof);
        // librdkafka before 2.6.1 (Debian's kcat among them) sends the client nonce twice (client + server-first's r);
        // Kafka 3.8.1-3.9 accepted that, and so does this broker: the server's part must still match exactly.
        var nonce = attributes.GetValueOrDefault('r');
        if (attributes.GetValueOrDefault('c') != Convert.ToBase64String(Encoding.UTF8.GetBytes(_gs2Header))
            || (nonce != _nonce && nonce != _clientNonce + _nonce))
        {
            throw new SaslAuthenticationException("Authentication failed: SCRAM channel binding or nonce does not match", _user);
        }

        byte[] proof;
        try
        {
            proof = Convert.FromBase64String(message[(proofAt + 3)..]);
        }
        catch (FormatException)
        {
            throw new SaslAuthenticationException("Authentication failed: SCRAM proof is not base64", _user);
        }

        var credential = _credential!;
        var authMessage = Encoding.UTF8.GetBytes($"{_clientFirstBare},{_serverFirst},{withoutProof}");
        var clientSignature = mechanism.Hmac(credential.StoredKey, authMessage);
        if (proof.Length != clientSignature.Length)
        {
            throw new SaslAuthenticationException(Failed, _user);
        }

        for (var i = 0; i < proof.Length; i++)
        {
            clientSignature[i] ^= proof[i]; // now the ClientKey the client claims
        }

        if (!CryptographicOperations.FixedTimeEquals(mechanism.Digest(clientSignature), credential.StoredKey))
        {
            throw new SaslAuthenticationException(Failed, _user);
        }

        IsComplete = true;
        return "v=" + Convert.ToBase64String(mechanism.Hmac(credential.ServerKey, authMessage));
    }

    private ScramCredential Decoy(string user)
    {
        var salt = HMACSHA256.HashData(DecoySecret, Encoding.UTF8.GetBytes(mechanism.Name + "\0" + user));
        var key = RandomNumberGenerator.GetBytes(mechanism.HashSize);
        return new ScramCredential(salt, key, key, ScramMechanism.MinIterations);
    }
}
