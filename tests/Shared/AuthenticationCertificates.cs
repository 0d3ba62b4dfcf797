using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Streams.Tests.Shared;

/// <summary>
/// Certificates made by the test with the platform's CertificateRequest: a CA, a server certificate for 127.0.0.1 and
/// localhost, and client certificates signed by that CA or by an untrusted one, written as PEM files to a temp directory.
/// Shared by the test projects that start TLS listeners (linked into each, see their csproj).
/// </summary>
internal sealed class AuthenticationCertificates : IDisposable
{
    public AuthenticationCertificates()
    {
        Directory.CreateDirectory(Folder);
        using var caKey = RSA.Create(2048);
        using var ca = SelfSignedCa("CN=Streams Test CA,O=Streams Tests", caKey);
        File.WriteAllText(CaPath, ca.ExportCertificatePem());

        using var serverKey = RSA.Create(2048);
        var serverRequest = new CertificateRequest("CN=localhost,O=Streams Tests", serverKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("localhost");
        names.AddIpAddress(System.Net.IPAddress.Loopback);
        serverRequest.CertificateExtensions.Add(names.Build());
        serverRequest.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        using var server = serverRequest.Create(ca, DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(2), RandomNumberGenerator.GetBytes(8));
        ServerChainPem = server.ExportCertificatePem() + "\n" + ca.ExportCertificatePem();
        ServerKeyPem = serverKey.ExportPkcs8PrivateKeyPem();
        File.WriteAllText(ServerPemPath, ServerChainPem + "\n" + ServerKeyPem);

        WriteClient(ca, caKey, "CN=alice,OU=payments,O=Streams Tests", ClientCertPath, ClientKeyPath);
        using var otherKey = RSA.Create(2048);
        using var other = SelfSignedCa("CN=Untrusted CA", otherKey);
        WriteClient(other, otherKey, "CN=mallory,O=Elsewhere", UntrustedCertPath, UntrustedKeyPath);
    }

    public string Folder { get; } = Path.Combine(Path.GetTempPath(), "streams-broker-tests", "certs-" + Guid.NewGuid().ToString("N"));

    public string CaPath => Path.Combine(Folder, "ca.pem");

    public string ServerPemPath => Path.Combine(Folder, "server.pem");

    public string ServerChainPem { get; }

    public string ServerKeyPem { get; }

    public string ClientCertPath => Path.Combine(Folder, "alice.pem");

    public string ClientKeyPath => Path.Combine(Folder, "alice.key");

    public string UntrustedCertPath => Path.Combine(Folder, "mallory.pem");

    public string UntrustedKeyPath => Path.Combine(Folder, "mallory.key");

    public void Dispose()
    {
        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static X509Certificate2 SelfSignedCa(string subject, RSA key)
    {
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-2), DateTimeOffset.UtcNow.AddDays(3));
    }

    private static void WriteClient(X509Certificate2 issuer, RSA issuerKey, string subject, string certPath, string keyPath)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.2")], false));
        using var issuerWithKey = issuer.HasPrivateKey ? issuer : issuer.CopyWithPrivateKey(issuerKey);
        using var certificate = request.Create(issuerWithKey, DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(2), RandomNumberGenerator.GetBytes(8));
        File.WriteAllText(certPath, certificate.ExportCertificatePem());
        File.WriteAllText(keyPath, key.ExportPkcs8PrivateKeyPem());
    }
}
