namespace Streams.KafkaConsole.Sessions;

/// <summary>
/// When the console asks people to sign in: its Kafka settings name a SASL listener with a user-and-password mechanism
/// (PLAIN, SCRAM-SHA-256, SCRAM-SHA-512). Each person then uses their own SASL user, so the cluster's ACLs decide what
/// they see and may change; a user name and password in the settings (the worker's own) are never lent to a browser.
/// Other mechanisms (GSSAPI, OAUTHBEARER) and PLAINTEXT/SSL keep the console open with the configured client, as before.
/// </summary>
internal static class SaslSignIn
{
    private static readonly string[] PasswordMechanisms = ["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"];

    public static bool IsRequired(IReadOnlyDictionary<string, string> kafka)
    {
        var protocol = kafka.GetValueOrDefault("security.protocol") ?? "";
        if (!protocol.StartsWith("SASL_", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        // librdkafka reads either name; GSSAPI when neither is set.
        var mechanism = kafka.GetValueOrDefault("sasl.mechanism") ?? kafka.GetValueOrDefault("sasl.mechanisms") ?? "GSSAPI";
        return PasswordMechanisms.Contains(mechanism.Trim(), StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>The console's settings with <paramref name="user"/>'s credentials in place of any configured ones.</summary>
    public static Dictionary<string, string> As(IReadOnlyDictionary<string, string> kafka, string user, string password)
    {
        var settings = new Dictionary<string, string>(kafka, StringComparer.Ordinal)
        {
            ["sasl.username"] = user,
            ["sasl.password"] = password,
        };
        return settings;
    }
}
