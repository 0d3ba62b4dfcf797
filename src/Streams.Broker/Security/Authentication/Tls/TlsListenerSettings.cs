using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Streams.Broker.Configs;

namespace Streams.Broker.Security.Authentication.Tls;

/// <summary><c>ssl.client.auth</c>.</summary>
internal enum ClientAuth
{
    None,
    Requested,
    Required,
}

/// <summary>
/// The TLS side of one SSL or SASL_SSL listener, loaded from Kafka's <c>ssl.*</c> settings (each also as
/// <c>listener.name.&lt;l&gt;.ssl.*</c>): the server certificate from a PEM (inline or file) or PKCS12 keystore, the
/// CAs trusted for client certificates from a PEM or PKCS12 truststore (the platform's when none is given), and
/// whether client certificates are asked for.
/// </summary>
internal sealed class TlsListenerSettings
{
    private TlsListenerSettings(SslStreamCertificateContext certificate, X509Certificate2Collection? trusted, ClientAuth clientAuth, SslProtocols protocols)
    {
        Certificate = certificate;
        Trusted = trusted;
        ClientAuth = clientAuth;
        Protocols = protocols;
    }

    public SslStreamCertificateContext Certificate { get; }

    /// <summary>CAs trusted for client certificates; null: the platform's trust store.</summary>
    public X509Certificate2Collection? Trusted { get; }

    public ClientAuth ClientAuth { get; }

    public SslProtocols Protocols { get; }

    /// <exception cref="ArgumentException">A setting is missing, malformed or names an unreadable file.</exception>
    public static TlsListenerSettings Load(BrokerConfig config, string listener)
    {
        string? Get(BrokerSettingDef def) => config.ListenerValue(listener, def.Name) is { Length: > 0 } value ? value : null;
        string Name(BrokerSettingDef def) => $"{def.Name} (or listener.name.{listener.ToLowerInvariant()}.{def.Name})";

        var clientAuth = Get(SecuritySettingDefs.SslClientAuth)?.ToLowerInvariant() switch
        {
            null or "none" => ClientAuth.None,
            "requested" => ClientAuth.Requested,
            "required" => ClientAuth.Required,
            var other => throw new ArgumentException($"Invalid broker setting {Name(SecuritySettingDefs.SslClientAuth)}: '{other}' is not none, requested or required"),
        };
        if (Get(SecuritySettingDefs.SslPrincipalMappingRules) is { } rules && rules != "DEFAULT")
        {
            throw new ArgumentException($"Invalid broker setting {Name(SecuritySettingDefs.SslPrincipalMappingRules)}: only DEFAULT (the certificate's full subject) is supported");
        }

        var protocols = SslProtocols.None;
        foreach (var protocol in (Get(SecuritySettingDefs.SslEnabledProtocols) ?? "TLSv1.2,TLSv1.3").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            protocols |= protocol switch
            {
                "TLSv1.2" => SslProtocols.Tls12,
                "TLSv1.3" => SslProtocols.Tls13,
                _ => throw new ArgumentException($"Invalid broker setting {Name(SecuritySettingDefs.SslEnabledProtocols)}: '{protocol}' is not TLSv1.2 or TLSv1.3"),
            };
        }

        var (certificate, chain) = LoadKeystore(Get, Name);
        var context = SslStreamCertificateContext.Create(certificate, chain, offline: true);
        return new TlsListenerSettings(context, LoadTruststore(Get, Name), clientAuth, protocols);
    }

    /// <summary>The options for one connection's handshake.</summary>
    public SslServerAuthenticationOptions ServerOptions() => new()
    {
        ServerCertificateContext = Certificate,
        EnabledSslProtocols = Protocols,
        ClientCertificateRequired = ClientAuth != ClientAuth.None,
        CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
        RemoteCertificateValidationCallback = ValidateClientCertificate,
    };

    private bool ValidateClientCertificate(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        if (certificate is null)
        {
            return ClientAuth != ClientAuth.Required;
        }

        if (Trusted is null)
        {
            return errors == SslPolicyErrors.None;
        }

        using var custom = new X509Chain();
        custom.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        custom.ChainPolicy.CustomTrustStore.AddRange(Trusted);
        custom.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        if (chain is not null)
        {
            foreach (var element in chain.ChainElements.Skip(1))
            {
                custom.ChainPolicy.ExtraStore.Add(element.Certificate);
            }
        }

        using var client = X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
        return custom.Build(client);
    }

    private static (X509Certificate2 Certificate, X509Certificate2Collection Chain) LoadKeystore(Func<BrokerSettingDef, string?> get, Func<BrokerSettingDef, string> name)
    {
        var inlineChain = get(SecuritySettingDefs.SslKeystoreCertificateChain);
        var location = get(SecuritySettingDefs.SslKeystoreLocation);
        var keyPassword = get(SecuritySettingDefs.SslKeyPassword);
        var type = StoreType(get(SecuritySettingDefs.SslKeystoreType), inlineChain is not null || location is null || IsPemFile(location), name(SecuritySettingDefs.SslKeystoreType));
        try
        {
            if (type == "PEM")
            {
                string chainPem, keyPem;
                if (inlineChain is not null)
                {
                    chainPem = inlineChain;
                    keyPem = get(SecuritySettingDefs.SslKeystoreKey) ?? throw new ArgumentException($"{name(SecuritySettingDefs.SslKeystoreCertificateChain)} needs {name(SecuritySettingDefs.SslKeystoreKey)}");
                }
                else if (location is not null)
                {
                    chainPem = keyPem = File.ReadAllText(location);
                }
                else
                {
                    throw new ArgumentException($"An SSL listener needs a server certificate: {name(SecuritySettingDefs.SslKeystoreLocation)} or {name(SecuritySettingDefs.SslKeystoreCertificateChain)} with {name(SecuritySettingDefs.SslKeystoreKey)}");
                }

                var certificate = keyPassword is null ? X509Certificate2.CreateFromPem(chainPem, keyPem) : X509Certificate2.CreateFromEncryptedPem(chainPem, keyPem, keyPassword);
                var all = new X509Certificate2Collection();
                all.ImportFromPem(chainPem);
                return (certificate, Intermediates(all, certificate));
            }

            var password = get(SecuritySettingDefs.SslKeystorePassword);
            var path = location ?? throw new ArgumentException($"A PKCS12 keystore needs {name(SecuritySettingDefs.SslKeystoreLocation)}");
            var store = X509CertificateLoader.LoadPkcs12CollectionFromFile(path, keyPassword ?? password);
            var withKey = store.FirstOrDefault(c => c.HasPrivateKey) ?? throw new ArgumentException($"{path} holds no certificate with a private key");
            return (withKey, Intermediates(store, withKey));
        }
        catch (Exception ex) when (ex is System.Security.Cryptography.CryptographicException or IOException or UnauthorizedAccessException)
        {
            throw new ArgumentException($"Invalid broker setting ssl.keystore.*: cannot load the server certificate: {ex.Message}", ex);
        }
    }

    private static X509Certificate2Collection? LoadTruststore(Func<BrokerSettingDef, string?> get, Func<BrokerSettingDef, string> name)
    {
        var inline = get(SecuritySettingDefs.SslTruststoreCertificates);
        var location = get(SecuritySettingDefs.SslTruststoreLocation);
        if (inline is null && location is null)
        {
            return null;
        }

        var type = StoreType(get(SecuritySettingDefs.SslTruststoreType), inline is not null || IsPemFile(location!), name(SecuritySettingDefs.SslTruststoreType));
        try
        {
            var trusted = new X509Certificate2Collection();
            if (type == "PEM")
            {
                trusted.ImportFromPem(inline ?? File.ReadAllText(location!));
            }
            else
            {
                trusted = X509CertificateLoader.LoadPkcs12CollectionFromFile(location!, get(SecuritySettingDefs.SslTruststorePassword));
            }

            return trusted.Count > 0 ? trusted : throw new ArgumentException("Invalid broker setting ssl.truststore.*: no certificates in the truststore");
        }
        catch (Exception ex) when (ex is System.Security.Cryptography.CryptographicException or IOException or UnauthorizedAccessException)
        {
            throw new ArgumentException($"Invalid broker setting ssl.truststore.*: cannot load the trusted certificates: {ex.Message}", ex);
        }
    }

    private static string StoreType(string? configured, bool looksPem, string settingName) => configured?.ToUpperInvariant() switch
    {
        null => looksPem ? "PEM" : "PKCS12",
        "PEM" or "PKCS12" => configured.ToUpperInvariant(),
        _ => throw new ArgumentException($"Invalid broker setting {settingName}: '{configured}' is not supported (PEM or PKCS12; convert a JKS store with keytool -importkeystore -deststoretype PKCS12)"),
    };

    private static bool IsPemFile(string path) => path.EndsWith(".pem", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".crt", StringComparison.OrdinalIgnoreCase);

    private static X509Certificate2Collection Intermediates(X509Certificate2Collection all, X509Certificate2 leaf)
    {
        var chain = new X509Certificate2Collection();
        foreach (var certificate in all)
        {
            if (certificate.Thumbprint != leaf.Thumbprint)
            {
                chain.Add(certificate);
            }
        }

        return chain;
    }
}
