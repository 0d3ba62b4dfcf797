using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Streams.Registry.Tests.Support;

/// <summary>
/// A throwaway root CA with an issuing CA under it, a server certificate for 127.0.0.1/localhost from the issuing CA, a
/// client certificate from the root, and a second root's client certificate that nothing trusts; written as PEM and
/// PKCS12 files to a temp directory removed on dispose.
/// </summary>
public sealed class TestCertificates : IDisposable
{
    public const string Password = "test-pass";

    private TestCertificates(string directory) => Directory = directory;

    public string Directory { get; }

    public X509Certificate2 Ca { get; private set; } = null!;

    public string CaPem => Path.Combine(Directory, "ca.pem");

    /// <summary>
    /// The server certificate's direct issuer: what Confluent's .NET client wants as <c>SslCaLocation</c> (it
    /// compares the issuer the server sends with that file, and a server never sends its self-signed root).
    /// </summary>
    public string IssuingCaPem => Path.Combine(Directory, "issuing-ca.pem");

    public string ServerPem => Path.Combine(Directory, "server.pem");

    public string ServerKeyPem => Path.Combine(Directory, "server.key");

    public string ServerPkcs12 => Path.Combine(Directory, "server.p12");

    public X509Certificate2 Client { get; private set; } = null!;

    public string ClientPkcs12 => Path.Combine(Directory, "client.p12");

    public X509Certificate2 UntrustedClient { get; private set; } = null!;

    public static TestCertificates Create()
    {
        var certificates = new TestCertificates(Path.Combine(Path.GetTempPath(), "streams-registry-certs", Guid.NewGuid().ToString("N")));
        System.IO.Directory.CreateDirectory(certificates.Directory);
        certificates.Write();
        return certificates;
    }

    public void Dispose()
    {
        Ca.Dispose();
        Client.Dispose();
        UntrustedClient.Dispose();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private void Write()
    {
        Ca = CreateCa("CN=Streams test CA");
        using var issuing = Issue(Ca, "CN=Streams test issuing CA", Usage.Ca);
        using var server = Issue(issuing, "CN=localhost", Usage.Server);
        File.WriteAllText(CaPem, Ca.ExportCertificatePem());
        File.WriteAllText(IssuingCaPem, issuing.ExportCertificatePem());
        // The chain as servers are configured: the certificate, then its issuer.
        File.WriteAllText(ServerPem, server.ExportCertificatePem() + "\n" + issuing.ExportCertificatePem());
        File.WriteAllText(ServerKeyPem, server.GetRSAPrivateKey()!.ExportPkcs8PrivateKeyPem());
        File.WriteAllBytes(ServerPkcs12, new X509Certificate2Collection { server, X509CertificateLoader.LoadCertificate(issuing.RawData) }.Export(X509ContentType.Pkcs12, Password)!);

        Client = Issue(Ca, "CN=registry-client", Usage.Client);
        File.WriteAllBytes(ClientPkcs12, Client.Export(X509ContentType.Pkcs12, Password));

        using var otherCa = CreateCa("CN=Somebody else's CA");
        UntrustedClient = Issue(otherCa, "CN=intruder", Usage.Client);
    }

    private static X509Certificate2 CreateCa(string subject)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
    }

    private enum Usage
    {
        Ca,
        Server,
        Client,
    }

    private static X509Certificate2 Issue(X509Certificate2 ca, string subject, Usage usage)
    {
        // Not disposed: the issued certificate keeps using it.
        var key = RSA.Create(2048);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(ca, true, false));
        if (usage == Usage.Ca)
        {
            request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
            request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
            request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        }
        else
        {
            request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
            request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, true));
            request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid(usage == Usage.Server ? "1.3.6.1.5.5.7.3.1" : "1.3.6.1.5.5.7.3.2")], false));
        }

        if (usage == Usage.Server)
        {
            var names = new SubjectAlternativeNameBuilder();
            names.AddDnsName("localhost");
            names.AddIpAddress(IPAddress.Loopback);
            request.CertificateExtensions.Add(names.Build());
        }

        var serial = RandomNumberGenerator.GetBytes(12);
        serial[0] &= 0x7f;
        using var issued = request.Create(ca, DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(usage == Usage.Ca ? 29 : 28), serial);
        return issued.CopyWithPrivateKey(key);
    }
}
