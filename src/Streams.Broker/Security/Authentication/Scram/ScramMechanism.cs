using System.Security.Cryptography;
using System.Text;

namespace Streams.Broker.Security.Authentication.Scram;

/// <summary>
/// SCRAM-SHA-256 or SCRAM-SHA-512 (RFC 5802, RFC 7677): the key derivations both sides compute. The wire codes are
/// Kafka's <c>ScramMechanism</c> bytes (1 and 2) used by DescribeUserScramCredentials and AlterUserScramCredentials.
/// </summary>
internal sealed class ScramMechanism
{
    /// <summary>Kafka accepts no fewer iterations than this.</summary>
    public const int MinIterations = 4096;

    /// <summary>Kafka's bound on iterations in AlterUserScramCredentials.</summary>
    public const int MaxIterations = 16384;

    public static readonly ScramMechanism Sha256 = new("SCRAM-SHA-256", 1, HashAlgorithmName.SHA256, 32);
    public static readonly ScramMechanism Sha512 = new("SCRAM-SHA-512", 2, HashAlgorithmName.SHA512, 64);

    public static readonly IReadOnlyList<ScramMechanism> All = [Sha256, Sha512];

    private ScramMechanism(string name, sbyte code, HashAlgorithmName hash, int hashSize)
    {
        Name = name;
        Code = code;
        Hash = hash;
        HashSize = hashSize;
    }

    /// <summary>The SASL mechanism name.</summary>
    public string Name { get; }

    /// <summary>Kafka's byte for this mechanism in the SCRAM admin APIs.</summary>
    public sbyte Code { get; }

    public HashAlgorithmName Hash { get; }

    public int HashSize { get; }

    public static ScramMechanism? FromName(string name) => All.FirstOrDefault(m => string.Equals(m.Name, name, StringComparison.OrdinalIgnoreCase));

    public static ScramMechanism? FromCode(sbyte code) => All.FirstOrDefault(m => m.Code == code);

    public byte[] SaltedPassword(string password, ReadOnlySpan<byte> salt, int iterations) =>
        Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), salt, iterations, Hash, HashSize);

    public byte[] Hmac(ReadOnlySpan<byte> key, ReadOnlySpan<byte> data) =>
        Hash == HashAlgorithmName.SHA256 ? HMACSHA256.HashData(key, data) : HMACSHA512.HashData(key, data);

    public byte[] Digest(ReadOnlySpan<byte> data) =>
        Hash == HashAlgorithmName.SHA256 ? SHA256.HashData(data) : SHA512.HashData(data);

    public byte[] ClientKey(ReadOnlySpan<byte> saltedPassword) => Hmac(saltedPassword, "Client Key"u8);

    public byte[] ServerKey(ReadOnlySpan<byte> saltedPassword) => Hmac(saltedPassword, "Server Key"u8);

    /// <summary>What the broker keeps of a password: the salt, StoredKey = H(ClientKey), ServerKey and the iterations.</summary>
    public ScramCredential Credential(ReadOnlySpan<byte> salt, ReadOnlySpan<byte> saltedPassword, int iterations) =>
        new(salt.ToArray(), Digest(ClientKey(saltedPassword)), ServerKey(saltedPassword), iterations);

    /// <summary>A credential for a password with a fresh random salt.</summary>
    public ScramCredential CredentialFor(string password, int iterations)
    {
        var salt = RandomNumberGenerator.GetBytes(HashSize);
        return Credential(salt, SaltedPassword(password, salt, iterations), iterations);
    }

    /// <summary>The <c>x=value</c> attributes of a SCRAM message (values may contain '=' but not ','), for both sides of the exchange.</summary>
    public static Dictionary<char, string> Attributes(string message)
    {
        var attributes = new Dictionary<char, string>();
        foreach (var part in message.Split(','))
        {
            if (part.Length >= 2 && part[1] == '=')
            {
                attributes.TryAdd(part[0], part[2..]);
            }
        }

        return attributes;
    }

    public override string ToString() => Name;
}
