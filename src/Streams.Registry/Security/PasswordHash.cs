using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Streams.Registry.Security;

/// <summary>
/// Passwords as configured: a PBKDF2 hash in the form <c>pbkdf2:&lt;iterations&gt;:&lt;salt base64&gt;:&lt;hash base64&gt;</c>
/// (HMAC-SHA-256), or the password itself. Both are compared in constant time.
/// </summary>
public static class PasswordHash
{
    /// <summary>The prefix that marks a configured password as a hash.</summary>
    public const string Prefix = "pbkdf2:";

    /// <summary>Iterations <see cref="Create"/> uses unless told otherwise.</summary>
    public const int DefaultIterations = 210_000;

    /// <summary>Hashes a password with a fresh random salt, for a configuration file.</summary>
    public static string Create(string password, int iterations = DefaultIterations)
    {
        ArgumentNullException.ThrowIfNull(password);
        ArgumentOutOfRangeException.ThrowIfLessThan(iterations, 1);
        var salt = RandomNumberGenerator.GetBytes(16);
        var hash = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), salt, iterations, HashAlgorithmName.SHA256, 32);
        return string.Create(CultureInfo.InvariantCulture, $"{Prefix}{iterations}:{Convert.ToBase64String(salt)}:{Convert.ToBase64String(hash)}");
    }

    /// <summary>Whether <paramref name="configured"/> starts like a hash (then it must parse as one).</summary>
    public static bool IsHash(string configured) => configured.StartsWith(Prefix, StringComparison.Ordinal);

    /// <summary>Checks a configured hash's form; null when well formed, else what is wrong.</summary>
    internal static string? Problem(string configured)
    {
        if (!IsHash(configured))
        {
            return null;
        }

        return TryParse(configured, out _, out _, out _)
            ? null
            : "a pbkdf2 hash must read pbkdf2:<iterations>:<salt base64>:<hash base64> with iterations of at least 1";
    }

    /// <summary>The iterations of a configured hash; 1 for a password given as is.</summary>
    internal static int Iterations(string configured) =>
        TryParse(configured, out var iterations, out _, out _) ? iterations : 1;

    /// <summary>Whether <paramref name="password"/> is the one configured (hashed or not), in time independent of where they differ.</summary>
    internal static bool Verify(string configured, ReadOnlySpan<byte> password)
    {
        if (IsHash(configured))
        {
            if (!TryParse(configured, out var iterations, out var salt, out var expected))
            {
                return false;
            }

            var actual = Rfc2898DeriveBytes.Pbkdf2(password, salt, iterations, HashAlgorithmName.SHA256, expected.Length);
            return CryptographicOperations.FixedTimeEquals(actual, expected);
        }

        // Digests first, so that the comparison takes the same time whatever the lengths.
        return CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(configured)), SHA256.HashData(password));
    }

    private static bool TryParse(string configured, out int iterations, out byte[] salt, out byte[] hash)
    {
        iterations = 0;
        salt = hash = [];
        if (!IsHash(configured))
        {
            return false;
        }

        var parts = configured[Prefix.Length..].Split(':');
        if (parts.Length != 3 || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out iterations) || iterations < 1)
        {
            return false;
        }

        try
        {
            salt = Convert.FromBase64String(parts[1]);
            hash = Convert.FromBase64String(parts[2]);
        }
        catch (FormatException)
        {
            return false;
        }

        return salt.Length > 0 && hash.Length >= 16;
    }
}
