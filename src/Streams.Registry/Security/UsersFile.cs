namespace Streams.Registry.Security;

/// <summary>
/// A users file in the form Confluent Schema Registry's basic authentication reads (Jetty's property file login
/// module): one <c>name: password,role[,role...]</c> a line, <c>#</c> comments. Passwords may be PBKDF2 hashes
/// (<see cref="PasswordHash"/>); Jetty's <c>OBF:</c>, <c>MD5:</c> and <c>CRYPT:</c> forms are refused, as they are
/// reversible or weak.
/// </summary>
internal static class UsersFile
{
    public static async Task<IReadOnlyList<RegistryUser>> ReadAsync(string path, CancellationToken cancellationToken)
    {
        var lines = await File.ReadAllLinesAsync(path, cancellationToken).ConfigureAwait(false);
        return Parse(lines, path);
    }

    public static IReadOnlyList<RegistryUser> Parse(IEnumerable<string> lines, string source)
    {
        List<RegistryUser> users = [];
        var number = 0;
        foreach (var raw in lines)
        {
            number++;
            var line = raw.Trim();
            if (line.Length == 0 || line[0] is '#' or '!')
            {
                continue;
            }

            var colon = line.IndexOfAny([':', '=']);
            if (colon <= 0)
            {
                throw new FormatException($"{source}:{number}: expected 'name: password,role', got no ':' after a name.");
            }

            var name = line[..colon].Trim();
            var fields = line[(colon + 1)..].Split(',', StringSplitOptions.TrimEntries);
            var password = fields[0];
            if (password.Length == 0)
            {
                throw new FormatException($"{source}:{number}: user '{name}' has no password.");
            }

            if (password.StartsWith("OBF:", StringComparison.Ordinal) || password.StartsWith("MD5:", StringComparison.Ordinal) || password.StartsWith("CRYPT:", StringComparison.Ordinal))
            {
                throw new FormatException($"{source}:{number}: user '{name}': Jetty's {password[..password.IndexOf(':', StringComparison.Ordinal)]}: passwords are not supported; use a pbkdf2: hash (streams-registry hash-password).");
            }

            // Jetty gives a user several roles; the strongest one the registry knows is the one that counts.
            var role = fields.Skip(1).Select(RegistryRoles.TryParse).Where(r => r is not null).Max();
            if (role is null)
            {
                throw new FormatException($"{source}:{number}: user '{name}' has none of the roles {RegistryRoles.Names}.");
            }

            users.Add(new RegistryUser { Name = name, Password = password, Role = RegistryRoles.Name(role.Value) });
        }

        return users;
    }
}
