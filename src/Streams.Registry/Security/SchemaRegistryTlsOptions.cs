namespace Streams.Registry.Security;

/// <summary>
/// TLS on the registry's listener (used when <see cref="SchemaRegistryOptions.Listen"/> is an <c>https://</c> URL).
/// Confluent's names, for orientation: <c>ssl.keystore.location</c>/<c>ssl.keystore.password</c> (PKCS12 here, or PEM),
/// <c>ssl.truststore.location</c>, <c>ssl.client.authentication</c>.
/// </summary>
public sealed class SchemaRegistryTlsOptions
{
    /// <summary>
    /// The server certificate: a PEM file (the certificate, then any intermediates; the key in <see cref="KeyPath"/>
    /// or in the same file) or a PKCS12 file (<c>.p12</c>/<c>.pfx</c>, with <see cref="Password"/>).
    /// </summary>
    public string? CertificatePath { get; set; }

    /// <summary>The PEM private key of a PEM <see cref="CertificatePath"/> (encrypted when <see cref="Password"/> is set).</summary>
    public string? KeyPath { get; set; }

    /// <summary>The PKCS12 file's password, or the encrypted PEM key's.</summary>
    public string? Password { get; set; }

    /// <summary>Whether clients must show a certificate (mutual TLS); <c>ssl.client.authentication</c> in Confluent's terms.</summary>
    public RegistryClientAuthentication ClientAuthentication { get; set; } = RegistryClientAuthentication.None;

    /// <summary>
    /// PEM file of the CA certificates that client certificates must chain to. Unset: the machine's trusted roots.
    /// </summary>
    public string? TrustedCertificatesPath { get; set; }
}

/// <summary>Client certificates on the registry's TLS listener (Confluent's <c>ssl.client.authentication</c> values).</summary>
public enum RegistryClientAuthentication
{
    /// <summary>No client certificate is asked for.</summary>
    None,

    /// <summary>Asked for; a client without one is let in, one with an untrusted one is refused.</summary>
    Requested,

    /// <summary>Mutual TLS: a client without a trusted certificate cannot connect.</summary>
    Required,
}
