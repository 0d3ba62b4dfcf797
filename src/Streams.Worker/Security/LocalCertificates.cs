using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Streams.Worker.Security;

/// <summary>
/// The secured embedded broker's TLS material, made once per data directory the way <c>dotnet dev-certs</c> makes
/// one: a local CA (its private key is thrown away once it has signed, so nothing else can be signed with it) and a
/// server certificate for localhost, 127.0.0.1 and ::1. Remade when missing or within a week of expiring.
/// </summary>
internal static class LocalCertificates
{
    private static readonly TimeSpan Lifetime = TimeSpan.FromDays(365);

    /// <summary>Makes sure <paramref name="caPath"/> (the CA certificate, for clients' <c>ssl.ca.location</c>) and
    /// <paramref name="serverPath"/> (the server certificate, the CA's and the server key, owner-only) exist and are
    /// current; returns whether they were made now.</summary>
    public static bool Ensure(string caPath, string serverPath)
    {
        if (Current(caPath) && Current(serverPath))
        {
            return false;
        }

        var now = DateTimeOffset.UtcNow.AddMinutes(-5);
        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var caRequest = new CertificateRequest($"CN=Streams local CA {Environment.MachineName}", caKey, HashAlgorithmName.SHA256);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        caRequest.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(caRequest.PublicKey, false));
        using var ca = caRequest.CreateSelfSigned(now, now + Lifetime + TimeSpan.FromDays(1));

        using var serverKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var serverRequest = new CertificateRequest("CN=localhost", serverKey, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("localhost");
        names.AddIpAddress(IPAddress.Loopback);
        names.AddIpAddress(IPAddress.IPv6Loopback);
        serverRequest.CertificateExtensions.Add(names.Build());
        serverRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        serverRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, true));
        serverRequest.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        serverRequest.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(ca, true, false));
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7F;
        using var server = serverRequest.Create(ca, now, now + Lifetime, serial);

        SecretFiles.Write(serverPath, server.ExportCertificatePem() + "\n" + ca.ExportCertificatePem() + "\n" + serverKey.ExportPkcs8PrivateKeyPem() + "\n");
        SecretFiles.Write(caPath, ca.ExportCertificatePem() + "\n", ownerOnly: false);
        return true;
    }

    private static bool Current(string path)
    {
        if (!File.Exists(path))
        {
            return false;
        }

        try
        {
            using var certificate = X509Certificate2.CreateFromPem(File.ReadAllText(path));
            return certificate.NotAfter.ToUniversalTime() > DateTime.UtcNow.AddDays(7);
        }
        catch (CryptographicException)
        {
            return false;
        }
    }
}
