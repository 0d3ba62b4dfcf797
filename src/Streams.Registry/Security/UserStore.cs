using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;

namespace Streams.Registry.Security;

/// <summary>The configured users, checked against a request's basic credentials.</summary>
internal sealed class UserStore
{
    // Confluent's clients send the credentials with every request; a PBKDF2 hash per request would cost milliseconds
    // each, so a verified pair is remembered by its digest (never the password itself).
    private const int MaxRemembered = 4096;
    private readonly Dictionary<string, (string Password, RegistryRole Role)> _users;
    private readonly ConcurrentDictionary<string, (string Name, RegistryRole Role)> _verified = new(StringComparer.Ordinal);
    private readonly string _absentUser;

    public UserStore(IEnumerable<RegistryUser> users)
    {
        _users = new(StringComparer.Ordinal);
        foreach (var user in users)
        {
            var role = RegistryRoles.TryParse(user.Role) ?? throw new ArgumentException($"User '{user.Name}' has role '{user.Role}', not one of {RegistryRoles.Names}.", nameof(users));
            _users[user.Name] = (user.Password, role);
        }

        var iterations = _users.Values.Select(u => PasswordHash.Iterations(u.Password)).DefaultIfEmpty(1).Max();
        _absentUser = PasswordHash.Create(Guid.NewGuid().ToString(), iterations);
    }

    public int Count => _users.Count;

    /// <summary>The user and role of valid <c>name:password</c> credentials (UTF-8, as decoded from the header); null otherwise.</summary>
    public (string Name, RegistryRole Role)? Authenticate(ReadOnlySpan<byte> credentials, out string? claimedName)
    {
        claimedName = null;
        var colon = credentials.IndexOf((byte)':');
        if (colon < 0)
        {
            return null;
        }

        claimedName = Encoding.UTF8.GetString(credentials[..colon]);
        var digest = Convert.ToBase64String(SHA256.HashData(credentials));
        if (_verified.TryGetValue(digest, out var known))
        {
            return known;
        }

        var password = credentials[(colon + 1)..];
        if (!_users.TryGetValue(claimedName, out var user))
        {
            // Spend the time a real check takes, so that response times do not tell which names exist.
            PasswordHash.Verify(_absentUser, password);
            return null;
        }

        if (!PasswordHash.Verify(user.Password, password))
        {
            return null;
        }

        if (_verified.Count >= MaxRemembered)
        {
            _verified.Clear();
        }

        _verified[digest] = (claimedName, user.Role);
        return (claimedName, user.Role);
    }
}
