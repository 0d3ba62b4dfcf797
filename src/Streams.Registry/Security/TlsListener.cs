using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;

namespace Streams.Registry.Security;

/// <summary>Kestrel's HTTPS for the registry: the server certificate loaded from PEM or PKCS12, client certificates checked against a trust store.</summary>
internal static class TlsListener
{
    public static void Configure(KestrelServerOptions kestrel, SchemaRegistryTlsOptions tls)
    {
        var (certificate, chain) = LoadServerCertificate(tls);
        X509Certificate2Collection? trusted = null;
        if (!string.IsNullOrEmpty(tls.TrustedCertificatesPath))
        {
            trusted = [];
            trusted.ImportFromPemFile(tls.TrustedCertificatesPath);
        }

        kestrel.ConfigureHttpsDefaults(https =>
        {
            https.ServerCertificate = certificate;
            https.ServerCertificateChain = chain;
            https.ClientCertificateMode = tls.ClientAuthentication switch
            {
                RegistryClientAuthentication.Required => ClientCertificateMode.RequireCertificate,
                RegistryClientAuthentication.Requested => ClientCertificateMode.AllowCertificate,
                _ => ClientCertificateMode.NoCertificate,
            };
            if (trusted is not null)
            {
                https.ClientCertificateValidation = (client, _, _) => ChainsTo(client, trusted);
            }
        });
    }

    /// <summary>Whether a client certificate chains to one of the configured CAs (and to nothing else).</summary>
    private static bool ChainsTo(X509Certificate2 client, X509Certificate2Collection trusted)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(trusted);
        // Test and private CAs publish no revocation lists; a trust store of one's own CAs is the control here.
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.ApplicationPolicy.Add(new System.Security.Cryptography.Oid("1.3.6.1.5.5.7.3.2"));
        return chain.Build(client);
    }

    private static (X509Certificate2 Certificate, X509Certificate2Collection? Chain) LoadServerCertificate(SchemaRegistryTlsOptions tls)
    {
        var path = tls.CertificatePath ?? throw new InvalidOperationException("An https:// Listen needs Tls.CertificatePath.");
        if (IsPkcs12(path))
        {
            // The keystore may hold the chain too: the certificate with the key is the server's, the rest its chain.
            var keystore = X509CertificateLoader.LoadPkcs12CollectionFromFile(path, tls.Password);
            var certificate = keystore.FirstOrDefault(c => c.HasPrivateKey) ?? throw new InvalidOperationException($"The PKCS12 file {path} holds no certificate with a private key.");
            X509Certificate2Collection chain = [.. keystore.Where(c => c != certificate)];
            return (certificate, chain.Count == 0 ? null : chain);
        }

        var keyPath = string.IsNullOrEmpty(tls.KeyPath) ? path : tls.KeyPath;
        var leaf = string.IsNullOrEmpty(tls.Password)
            ? X509Certificate2.CreateFromPemFile(path, keyPath)
            : X509Certificate2.CreateFromEncryptedPemFile(path, tls.Password, keyPath);
        X509Certificate2Collection all = [];
        all.ImportFromPemFile(path);
        X509Certificate2Collection intermediates = [.. all.Where(c => c.Thumbprint != leaf.Thumbprint)];
        return (leaf, intermediates.Count == 0 ? null : intermediates);
    }

    private static bool IsPkcs12(string path) =>
        Path.GetExtension(path).ToUpperInvariant() is ".P12" or ".PFX" or ".PKCS12";
}
