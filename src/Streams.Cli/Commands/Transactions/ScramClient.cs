using System.Security.Cryptography;
using System.Text;
using Streams.Broker.Security.Authentication.Scram;
using Streams.Cli.Infrastructure;

namespace Streams.Cli.Commands.Transactions;

/// <summary>
/// The client side of SCRAM (RFC 5802; SHA-256 per RFC 7677, SHA-512 as Kafka adds it), with the key derivations of
/// the broker's own <see cref="ScramMechanism"/>: client-first (user and nonce, no channel binding), client-final
/// (the proof over the server's salt and iterations), then the server's signature checked, so a server that does
/// not know the password cannot pass for one that does.
/// </summary>
internal sealed class ScramClient(ScramMechanism mechanism, string username, string password)
{
    private const string Gs2Header = "n,,";
    private readonly string _nonce = Convert.ToBase64String(RandomNumberGenerator.GetBytes(24));
    private string _clientFirstBare = "";
    private byte[] _expectedServerSignature = [];

    /// <summary>client-first-message: gs2 header, the user (',' and '=' escaped as RFC 5802 says) and the nonce.</summary>
    public byte[] ClientFirst()
    {
        var name = username.Replace("=", "=3D", StringComparison.Ordinal).Replace(",", "=2C", StringComparison.Ordinal);
        _clientFirstBare = $"n={name},r={_nonce}";
        return Encoding.UTF8.GetBytes(Gs2Header + _clientFirstBare);
    }

    /// <summary>client-final-message for the server-first-message <paramref name="serverFirstBytes"/>.</summary>
    public byte[] ClientFinal(ReadOnlySpan<byte> serverFirstBytes)
    {
        var serverFirst = Encoding.UTF8.GetString(serverFirstBytes);
        var attributes = ScramMechanism.Attributes(serverFirst);
        if (attributes.GetValueOrDefault('e') is { } error)
        {
            throw new CliException($"SCRAM login refused: {error}");
        }

        // The combined nonce must extend ours, or this answers someone else's exchange.
        if (attributes.GetValueOrDefault('r') is not { } nonce || !nonce.StartsWith(_nonce, StringComparison.Ordinal) || nonce.Length == _nonce.Length
            || attributes.GetValueOrDefault('s') is not { } salt
            || !int.TryParse(attributes.GetValueOrDefault('i'), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var iterations)
            || iterations < 1)
        {
            throw new CliException("The broker's SCRAM server-first message is malformed.");
        }

        byte[] saltBytes;
        try
        {
            saltBytes = Convert.FromBase64String(salt);
        }
        catch (FormatException)
        {
            throw new CliException("The broker's SCRAM salt is not base64.");
        }

        var withoutProof = $"c={Convert.ToBase64String(Encoding.UTF8.GetBytes(Gs2Header))},r={nonce}";
        var authMessage = Encoding.UTF8.GetBytes($"{_clientFirstBare},{serverFirst},{withoutProof}");
        var saltedPassword = mechanism.SaltedPassword(password, saltBytes, iterations);
        var clientKey = mechanism.ClientKey(saltedPassword);
        var proof = mechanism.Hmac(mechanism.Digest(clientKey), authMessage);
        for (var i = 0; i < proof.Length; i++)
        {
            proof[i] ^= clientKey[i];
        }

        _expectedServerSignature = mechanism.Hmac(mechanism.ServerKey(saltedPassword), authMessage);
        return Encoding.UTF8.GetBytes($"{withoutProof},p={Convert.ToBase64String(proof)}");
    }

    /// <summary>Checks the server-final-message: the server proved it holds this user's ServerKey.</summary>
    public void VerifyServerFinal(ReadOnlySpan<byte> serverFinalBytes)
    {
        var attributes = ScramMechanism.Attributes(Encoding.UTF8.GetString(serverFinalBytes));
        if (attributes.GetValueOrDefault('e') is { } error)
        {
            throw new CliException($"SCRAM login refused: {error}");
        }

        byte[] signature;
        try
        {
            signature = Convert.FromBase64String(attributes.GetValueOrDefault('v') ?? "");
        }
        catch (FormatException)
        {
            signature = [];
        }

        if (_expectedServerSignature.Length == 0 || !CryptographicOperations.FixedTimeEquals(signature, _expectedServerSignature))
        {
            throw new CliException("The broker's SCRAM signature does not match: it does not hold this user's credential.");
        }
    }
}
