using System.Globalization;

namespace Streams.Broker.Security.Authentication.Scram;

/// <summary>
/// A SCRAM user given at start, in the syntax of <c>kafka-storage format --add-scram</c>:
/// <c>SCRAM-SHA-256=[name=admin,password=admin-secret]</c>, optionally with <c>iterations=8192</c>, or with
/// <c>salt=&lt;base64&gt;,saltedpassword=&lt;base64&gt;</c> instead of a password. Values may be double-quoted.
/// </summary>
internal sealed record ScramUserSpec(ScramMechanism Mechanism, string Name, string? Password, byte[]? Salt, byte[]? SaltedPassword, int Iterations)
{
    /// <exception cref="FormatException">The text does not follow the syntax; the message says what is wrong.</exception>
    public static ScramUserSpec Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var equals = text.IndexOf('=', StringComparison.Ordinal);
        if (equals <= 0 || !text.EndsWith(']') || text.Length < equals + 3 || text[equals + 1] != '[')
        {
            throw new FormatException($"'{text}' is not MECHANISM=[name=...,password=...]");
        }

        var mechanism = ScramMechanism.FromName(text[..equals].Trim())
            ?? throw new FormatException($"'{text[..equals]}' is not a SCRAM mechanism (SCRAM-SHA-256 or SCRAM-SHA-512)");
        var fields = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var item in SplitFields(text[(equals + 2)..^1]))
        {
            var eq = item.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
            {
                throw new FormatException($"'{item}' in '{text}' is not key=value");
            }

            var value = item[(eq + 1)..].Trim();
            if (value.Length >= 2 && value[0] == '"' && value[^1] == '"')
            {
                value = value[1..^1];
            }

            fields[item[..eq].Trim()] = value;
        }

        if (!fields.TryGetValue("name", out var name) || name.Length == 0)
        {
            throw new FormatException($"'{text}' names no user (name=...)");
        }

        var iterations = ScramMechanism.MinIterations;
        if (fields.TryGetValue("iterations", out var iterationText)
            && (!int.TryParse(iterationText, NumberStyles.None, CultureInfo.InvariantCulture, out iterations) || iterations < ScramMechanism.MinIterations || iterations > ScramMechanism.MaxIterations))
        {
            throw new FormatException($"iterations must be {ScramMechanism.MinIterations}..{ScramMechanism.MaxIterations}, got '{iterationText}'");
        }

        fields.TryGetValue("password", out var password);
        byte[]? salt = null, salted = null;
        if (fields.TryGetValue("saltedpassword", out var saltedText))
        {
            if (password is not null || !fields.TryGetValue("salt", out var saltText))
            {
                throw new FormatException($"'{text}': saltedpassword needs salt and no password");
            }

            salt = Convert.FromBase64String(saltText);
            salted = Convert.FromBase64String(saltedText);
            if (salted.Length != mechanism.HashSize)
            {
                throw new FormatException($"'{text}': a {mechanism.Name} salted password is {mechanism.HashSize} bytes");
            }
        }
        else if (password is null)
        {
            throw new FormatException($"'{text}' gives neither password nor saltedpassword");
        }
        else if (fields.TryGetValue("salt", out var saltOnly))
        {
            salt = Convert.FromBase64String(saltOnly);
        }

        return new ScramUserSpec(mechanism, name, password, salt, salted, iterations);
    }

    /// <summary>The credential to store (a fresh random salt unless one was given).</summary>
    public ScramCredential ToCredential() =>
        SaltedPassword is not null ? Mechanism.Credential(Salt!, SaltedPassword, Iterations)
        : Salt is not null ? Mechanism.Credential(Salt, Mechanism.SaltedPassword(Password!, Salt, Iterations), Iterations)
        : Mechanism.CredentialFor(Password!, Iterations);

    private static IEnumerable<string> SplitFields(string body)
    {
        var start = 0;
        var quoted = false;
        for (var i = 0; i < body.Length; i++)
        {
            if (body[i] == '"')
            {
                quoted = !quoted;
            }
            else if (body[i] == ',' && !quoted)
            {
                yield return body[start..i];
                start = i + 1;
            }
        }

        if (start < body.Length)
        {
            yield return body[start..];
        }
    }
}
