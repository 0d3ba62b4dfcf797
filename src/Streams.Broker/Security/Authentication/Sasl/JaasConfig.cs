using System.Text;

namespace Streams.Broker.Security.Authentication.Sasl;

/// <summary>
/// One login module entry of a <c>sasl.jaas.config</c> value, read as Kafka's JaasConfig reads it:
/// <c>LoginModuleClass flag name=value name="quoted value" ...;</c> where quoted values may hold spaces, '=' and ';'
/// and backslash escapes, and the entry ends with a semicolon.
/// </summary>
internal sealed record JaasConfig(string LoginModule, string ControlFlag, IReadOnlyDictionary<string, string> Options)
{
    public const string PlainLoginModule = "org.apache.kafka.common.security.plain.PlainLoginModule";

    private static readonly string[] Flags = ["required", "requisite", "sufficient", "optional"];

    /// <summary>The PLAIN users: the <c>user_&lt;name&gt;</c> options of a PlainLoginModule entry.</summary>
    public IReadOnlyDictionary<string, string> PlainUsers() =>
        Options.Where(o => o.Key.StartsWith("user_", StringComparison.Ordinal) && o.Key.Length > 5)
            .ToDictionary(o => o.Key[5..], o => o.Value, StringComparer.Ordinal);

    /// <exception cref="FormatException">Not one well-formed login module entry.</exception>
    public static JaasConfig Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var tokens = Tokenize(text);
        if (tokens.Count < 3 || tokens[^1] != (";", false))
        {
            throw new FormatException("a JAAS entry is 'LoginModuleClass flag name=\"value\" ...;' ending with a semicolon");
        }

        var (module, _) = tokens[0];
        var (flag, _) = tokens[1];
        if (!Flags.Contains(flag, StringComparer.OrdinalIgnoreCase))
        {
            throw new FormatException($"'{flag}' is not a JAAS control flag ({string.Join(", ", Flags)})");
        }

        var options = new Dictionary<string, string>(StringComparer.Ordinal);
        var i = 2;
        while (i < tokens.Count - 1)
        {
            if (i + 2 >= tokens.Count || tokens[i + 1] != ("=", false) || tokens[i].Quoted || tokens[i + 2] == (";", false))
            {
                throw new FormatException($"expected name=value in the JAAS entry near '{tokens[i].Text}'");
            }

            options[tokens[i].Text] = tokens[i + 2].Text;
            i += 3;
        }

        if (i != tokens.Count - 1)
        {
            throw new FormatException("only one login module entry is allowed in sasl.jaas.config");
        }

        return new JaasConfig(module, flag.ToLowerInvariant(), options);
    }

    private static List<(string Text, bool Quoted)> Tokenize(string text)
    {
        var tokens = new List<(string, bool)>();
        var i = 0;
        while (i < text.Length)
        {
            var c = text[i];
            if (char.IsWhiteSpace(c))
            {
                i++;
            }
            else if (c is '=' or ';')
            {
                tokens.Add((c.ToString(), false));
                i++;
            }
            else if (c == '"')
            {
                var value = new StringBuilder();
                i++;
                while (true)
                {
                    if (i >= text.Length)
                    {
                        throw new FormatException("unterminated quoted value in the JAAS entry");
                    }

                    if (text[i] == '\\' && i + 1 < text.Length)
                    {
                        value.Append(text[i + 1]);
                        i += 2;
                    }
                    else if (text[i] == '"')
                    {
                        i++;
                        break;
                    }
                    else
                    {
                        value.Append(text[i++]);
                    }
                }

                tokens.Add((value.ToString(), true));
            }
            else
            {
                var start = i;
                while (i < text.Length && !char.IsWhiteSpace(text[i]) && text[i] is not ('=' or ';' or '"'))
                {
                    i++;
                }

                tokens.Add((text[start..i], false));
            }
        }

        return tokens;
    }
}
