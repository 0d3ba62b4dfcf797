using System.Security.Cryptography.X509Certificates;
using Streams.Cli.Infrastructure;

namespace Streams.Cli.Commands.Transactions;

/// <summary>
/// How <see cref="BrokerConnection"/> secures its connections, read from the same librdkafka properties the other
/// commands' clients get (--config, -X): <c>security.protocol</c>; for SSL and SASL_SSL <c>ssl.ca.location</c> or
/// <c>ssl.ca.pem</c> (else the system's trust store), <c>ssl.certificate.location</c> + <c>ssl.key.location</c>
/// (+ <c>ssl.key.password</c>) or <c>ssl.keystore.location</c> + <c>ssl.keystore.password</c> (PKCS#12) for a client
/// certificate, <c>enable.ssl.certificate.verification</c> and <c>ssl.endpoint.identification.algorithm</c> (https:
/// the broker's name is checked, none: it is not); for SASL <c>sasl.mechanism(s)</c> PLAIN, SCRAM-SHA-256 or
/// SCRAM-SHA-512 with <c>sasl.username</c> and <c>sasl.password</c>.
/// </summary>
internal sealed record ConnectionSecurity(
    bool Tls,
    string? SaslMechanism,
    string? SaslUsername,
    string? SaslPassword,
    X509Certificate2Collection? TrustedCertificates,
    X509Certificate2? ClientCertificate,
    bool VerifyCertificate,
    bool VerifyHostName)
{
    private static readonly string[] Mechanisms = ["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"];

    public static ConnectionSecurity Plaintext { get; } = new(false, null, null, null, null, null, true, true);

    /// <summary>Reads the settings; a value it cannot serve (GSSAPI, OAUTHBEARER, an unknown protocol) is a usage error naming it.</summary>
    public static ConnectionSecurity From(IReadOnlyDictionary<string, string> properties)
    {
        var protocol = properties.GetValueOrDefault("security.protocol", "plaintext").ToUpperInvariant();
        var (tls, sasl) = protocol switch
        {
            "PLAINTEXT" => (false, false),
            "SSL" => (true, false),
            "SASL_PLAINTEXT" => (false, true),
            "SASL_SSL" => (true, true),
            _ => throw CliException.Usage($"security.protocol must be PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL, got '{protocol}'"),
        };

        string? mechanism = null, username = null, password = null;
        if (sasl)
        {
            // librdkafka takes both spellings; its default is GSSAPI, which streams transactions cannot speak.
            mechanism = (properties.GetValueOrDefault("sasl.mechanism") ?? properties.GetValueOrDefault("sasl.mechanisms") ?? "GSSAPI").ToUpperInvariant();
            if (!Mechanisms.Contains(mechanism))
            {
                throw CliException.Usage($"streams transactions logs in with SASL PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512, not {mechanism} (sasl.mechanism)");
            }

            username = properties.GetValueOrDefault("sasl.username") ?? throw CliException.Usage($"sasl.username is required for SASL {mechanism}");
            password = properties.GetValueOrDefault("sasl.password") ?? throw CliException.Usage($"sasl.password is required for SASL {mechanism}");
        }

        if (!tls)
        {
            return Plaintext with { SaslMechanism = mechanism, SaslUsername = username, SaslPassword = password };
        }

        try
        {
            return new ConnectionSecurity(true, mechanism, username, password, ReadTrustedCertificates(properties), ReadClientCertificate(properties),
                !IsFalse(properties.GetValueOrDefault("enable.ssl.certificate.verification")),
                !string.Equals(properties.GetValueOrDefault("ssl.endpoint.identification.algorithm", "https"), "none", StringComparison.OrdinalIgnoreCase));
        }
        catch (System.Security.Cryptography.CryptographicException e)
        {
            throw CliException.Usage($"Could not read the TLS certificates or key (ssl.*): {e.Message}");
        }
    }

    private static bool IsFalse(string? value) => value is not null && (value.Equals("false", StringComparison.OrdinalIgnoreCase) || value == "0");

    /// <summary>The CA certificates to trust instead of the system's; null: the system's (librdkafka's "probe" too).</summary>
    private static X509Certificate2Collection? ReadTrustedCertificates(IReadOnlyDictionary<string, string> properties)
    {
        var certificates = new X509Certificate2Collection();
        if (properties.GetValueOrDefault("ssl.ca.pem") is { Length: > 0 } pem)
        {
            certificates.ImportFromPem(pem);
        }
        else if (properties.GetValueOrDefault("ssl.ca.location") is { Length: > 0 } location && location != "probe")
        {
            if (Directory.Exists(location))
            {
                foreach (var file in Directory.EnumerateFiles(location).Where(f => f.EndsWith(".pem", StringComparison.OrdinalIgnoreCase) || f.EndsWith(".crt", StringComparison.OrdinalIgnoreCase)))
                {
                    certificates.ImportFromPemFile(file);
                }
            }
            else
            {
                certificates.ImportFromPemFile(Existing(location, "ssl.ca.location"));
            }
        }
        else
        {
            return null;
        }

        return certificates.Count > 0 ? certificates : throw CliException.Usage("ssl.ca.location / ssl.ca.pem hold no PEM certificate");
    }

    private static X509Certificate2? ReadClientCertificate(IReadOnlyDictionary<string, string> properties)
    {
        if (properties.GetValueOrDefault("ssl.keystore.location") is { Length: > 0 } keystore)
        {
            return X509CertificateLoader.LoadPkcs12FromFile(Existing(keystore, "ssl.keystore.location"), properties.GetValueOrDefault("ssl.keystore.password"));
        }

        if (properties.GetValueOrDefault("ssl.certificate.location") is not { Length: > 0 } certificate)
        {
            return null;
        }

        var key = properties.GetValueOrDefault("ssl.key.location") ?? throw CliException.Usage("ssl.certificate.location needs ssl.key.location");
        return properties.GetValueOrDefault("ssl.key.password") is { Length: > 0 } password
            ? X509Certificate2.CreateFromEncryptedPemFile(Existing(certificate, "ssl.certificate.location"), password, Existing(key, "ssl.key.location"))
            : X509Certificate2.CreateFromPemFile(Existing(certificate, "ssl.certificate.location"), Existing(key, "ssl.key.location"));
    }

    private static string Existing(string path, string setting) =>
        File.Exists(path) ? path : throw CliException.Usage($"{setting} '{path}' does not exist");
}
