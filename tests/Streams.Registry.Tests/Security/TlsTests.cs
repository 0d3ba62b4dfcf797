using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Confluent.SchemaRegistry;
using Streams.Registry.Security;
using Streams.Registry.Tests.Support;
using static Streams.Registry.Tests.Support.TestSchemas;

namespace Streams.Registry.Tests.Security;

/// <summary>The registry on https://: PEM and PKCS12 server certificates, mutual TLS, with Confluent's client and HttpClient.</summary>
public sealed class TlsTests : IDisposable
{
    private readonly TestCertificates _certificates = TestCertificates.Create();

    public void Dispose() => _certificates.Dispose();

    [Fact]
    public async Task Confluent_client_trusting_the_test_ca_registers_over_tls_with_a_pem_certificate()
    {
        await using var server = await RegistryServer.StartAsync(o =>
        {
            o.Listen = "https://127.0.0.1:0";
            o.Tls.CertificatePath = _certificates.ServerPem;
            o.Tls.KeyPath = _certificates.ServerKeyPem;
        });
        Assert.StartsWith("https://", server.Url, StringComparison.Ordinal);

        using var client = server.Client(c => c.SslCaLocation = _certificates.IssuingCaPem);
        var subject = Subject("tls");
        var id = await client.RegisterSchemaAsync(subject, new Schema(User, SchemaType.Avro));
        Assert.Equal(id, (await client.GetLatestSchemaAsync(subject)).Id);

        // A client that trusts only the machine's roots refuses the test CA's certificate.
        using var untrusting = new HttpClient { BaseAddress = new Uri(server.Url) };
        await Assert.ThrowsAsync<HttpRequestException>(() => untrusting.GetAsync("/subjects"));
    }

    [Fact]
    public async Task Pkcs12_certificate_with_basic_auth_roles_over_tls()
    {
        await using var server = await RegistryServer.StartAsync(o =>
        {
            o.Listen = "https://127.0.0.1:0";
            o.Tls.CertificatePath = _certificates.ServerPkcs12;
            o.Tls.Password = TestCertificates.Password;
            o.Users.Add(new RegistryUser { Name = "reader", Password = "reader-secret", Role = "read-only" });
            o.Users.Add(new RegistryUser { Name = "app", Password = "app-secret", Role = "developer" });
        });

        using var app = server.Client(c => (c.SslCaLocation, c.BasicAuthCredentialsSource, c.BasicAuthUserInfo) = (_certificates.IssuingCaPem, AuthCredentialsSource.UserInfo, "app:app-secret"));
        var subject = Subject("tls");
        await app.RegisterSchemaAsync(subject, new Schema(User, SchemaType.Avro));

        using var reader = server.Client(c => (c.SslCaLocation, c.BasicAuthCredentialsSource, c.BasicAuthUserInfo) = (_certificates.IssuingCaPem, AuthCredentialsSource.UserInfo, "reader:reader-secret"));
        Assert.Equal(1, (await reader.GetLatestSchemaAsync(subject)).Version);
        var refused = await Assert.ThrowsAsync<SchemaRegistryException>(() => reader.RegisterSchemaAsync(subject, new Schema(UserWithEmail, SchemaType.Avro)));
        Assert.Equal(40301, refused.ErrorCode);
    }

    [Fact]
    public async Task Required_client_certificate_lets_in_only_clients_signed_by_the_trust_store()
    {
        await using var server = await RegistryServer.StartAsync(o =>
        {
            o.Listen = "https://127.0.0.1:0";
            o.Tls.CertificatePath = _certificates.ServerPem;
            o.Tls.KeyPath = _certificates.ServerKeyPem;
            o.Tls.ClientAuthentication = RegistryClientAuthentication.Required;
            o.Tls.TrustedCertificatesPath = _certificates.CaPem;
        });

        using (var trusted = Https(server.Url, _certificates.Client))
        {
            Assert.Equal(200, (int)(await trusted.GetAsync("/subjects")).StatusCode);
        }

        using (var without = Https(server.Url, null))
        {
            await Assert.ThrowsAnyAsync<HttpRequestException>(() => without.GetAsync("/subjects"));
        }

        using (var intruder = Https(server.Url, _certificates.UntrustedClient))
        {
            await Assert.ThrowsAnyAsync<HttpRequestException>(() => intruder.GetAsync("/subjects"));
        }

        // Confluent's client presents its certificate from a PKCS12 keystore.
        using var client = server.Client(c =>
        {
            c.SslCaLocation = _certificates.IssuingCaPem;
            c.SslKeystoreLocation = _certificates.ClientPkcs12;
            c.SslKeystorePassword = TestCertificates.Password;
        });
        Assert.True(await client.RegisterSchemaAsync(Subject("mtls"), new Schema(User, SchemaType.Avro)) > 0);
    }

    /// <summary>An HttpClient trusting only the test CA, optionally presenting a client certificate.</summary>
    private HttpClient Https(string url, X509Certificate2? clientCertificate)
    {
        var ca = _certificates.Ca;
        var handler = new SocketsHttpHandler
        {
            SslOptions = new SslClientAuthenticationOptions
            {
                ClientCertificates = clientCertificate is null ? null : [clientCertificate],
                RemoteCertificateValidationCallback = (_, certificate, sent, _) =>
                {
                    using var chain = new X509Chain();
                    chain.ChainPolicy.ExtraStore.AddRange(sent!.ChainElements.Select(e => e.Certificate).ToArray());
                    chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                    chain.ChainPolicy.CustomTrustStore.Add(ca);
                    chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                    return certificate is X509Certificate2 server && chain.Build(server);
                },
            },
        };
        return new HttpClient(handler) { BaseAddress = new Uri(url) };
    }
}
