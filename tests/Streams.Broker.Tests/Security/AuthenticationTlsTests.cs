using Confluent.Kafka;
using Streams.Broker.Protocol.Messages;
using Streams.Broker.Tests.Support;
using Streams.Tests.Shared;
using Xunit.Abstractions;

namespace Streams.Broker.Tests.Security;

/// <summary>SSL and SASL_SSL listeners with certificates made by the test, driven by librdkafka, kcat and raw sockets.</summary>
public sealed class AuthenticationTlsTests(ITestOutputHelper output) : IDisposable
{
    private readonly AuthenticationCertificates _certificates = new();

    public void Dispose() => _certificates.Dispose();

    private Dictionary<string, string> SslSettings(params (string Name, string Value)[] extra)
    {
        var settings = new Dictionary<string, string>
        {
            ["listeners"] = "PLAINTEXT://127.0.0.1:0,SSL://127.0.0.1:0",
            ["ssl.keystore.location"] = _certificates.ServerPemPath,
        };
        foreach (var (name, value) in extra)
        {
            settings[name] = value;
        }

        return settings;
    }

    private void Ssl(ClientConfig config)
    {
        config.SecurityProtocol = SecurityProtocol.Ssl;
        config.SslCaLocation = _certificates.CaPath;
    }

    private static async Task ProduceAndReadBackAsync(string bootstrap, string topic, Action<ClientConfig> secure)
    {
        using (var producer = Clients.Producer<string, string>(bootstrap, c => secure(c)))
        {
            var delivered = await producer.ProduceAsync(topic, new Message<string, string> { Key = "k", Value = "over tls" });
            Assert.Equal(0, delivered.Offset.Value);
        }

        using var consumer = Clients.Consumer<string, string>(bootstrap, c => secure(c));
        consumer.Assign(new TopicPartitionOffset(topic, 0, Offset.Beginning));
        var result = consumer.Consume(TimeSpan.FromSeconds(30));
        Assert.Equal("over tls", result?.Message.Value);
    }

    [Fact]
    public async Task Ssl_listener_serves_librdkafka_that_trusts_the_ca()
    {
        await using var broker = await AuthenticationBroker.StartAsync(output, SslSettings());
        await ProduceAndReadBackAsync(broker.Bootstrap("SSL"), "tls-topic", Ssl);
    }

    [Fact]
    public async Task Mutual_tls_principal_is_the_client_certificate_subject()
    {
        await using var broker = await AuthenticationBroker.StartAsync(output, SslSettings(
            ("listener.name.ssl.ssl.client.auth", "required"),
            ("listener.name.ssl.ssl.truststore.location", _certificates.CaPath)));
        await ProduceAndReadBackAsync(broker.Bootstrap("SSL"), "mtls-topic", c =>
        {
            Ssl(c);
            c.SslCertificateLocation = _certificates.ClientCertPath;
            c.SslKeyLocation = _certificates.ClientKeyPath;
        });

        Assert.Contains(broker.Audit, line => line.Contains("Authentication succeeded: principal User:CN=alice,OU=payments,O=Streams Tests mechanism SSL listener SSL", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_client_with_an_untrusted_or_no_certificate_is_refused_when_client_auth_is_required(bool untrustedCertificate)
    {
        await using var broker = await AuthenticationBroker.StartAsync(output, SslSettings(
            ("ssl.client.auth", "required"),
            ("ssl.truststore.certificates", await File.ReadAllTextAsync(_certificates.CaPath))));
        var baseline = broker.Broker.OpenConnections;
        var errors = new List<ErrorCode>();
        var config = new ProducerConfig { BootstrapServers = broker.Bootstrap("SSL"), MessageTimeoutMs = 4000 };
        Ssl(config);
        if (untrustedCertificate)
        {
            config.SslCertificateLocation = _certificates.UntrustedCertPath;
            config.SslKeyLocation = _certificates.UntrustedKeyPath;
        }

        using (var producer = new ProducerBuilder<string, string>(config).SetErrorHandler((_, e) => { lock (errors) { errors.Add(e.Code); } }).Build())
        {
            await Assert.ThrowsAsync<ProduceException<string, string>>(() => producer.ProduceAsync("refused", new Message<string, string> { Key = "k", Value = "v" }));
        }

        lock (errors)
        {
            Assert.True(errors.Any(e => e is ErrorCode.Local_Ssl or ErrorCode.Local_Authentication or ErrorCode.Local_AllBrokersDown or ErrorCode.Local_Transport), $"errors: {string.Join(", ", errors)}");
        }

        Assert.Contains(broker.Audit, line => line.Contains("Authentication failed", StringComparison.Ordinal) && line.Contains("mechanism SSL listener SSL", StringComparison.Ordinal));
        await broker.AssertConnectionsBackToAsync(baseline);
        using var admin = Clients.Admin(broker.Bootstrap("PLAINTEXT"));
        Assert.DoesNotContain(admin.GetMetadata(TimeSpan.FromSeconds(10)).Topics, t => t.Topic == "refused");
    }

    [Fact]
    public async Task A_plaintext_client_on_the_ssl_port_is_closed_and_gets_nothing()
    {
        await using var broker = await AuthenticationBroker.StartAsync(output, SslSettings());
        var baseline = broker.Broker.OpenConnections;
        using (var connection = await RawConnection.ConnectAsync(broker.Bootstrap("SSL")))
        {
            ApiVersionsResponse? response;
            try
            {
                response = await connection.SendAsync<ApiVersionsRequest, ApiVersionsResponse>(new ApiVersionsRequest(), 2, TimeSpan.FromSeconds(15));
            }
            catch (Exception ex) when (ex is IOException or Streams.Broker.Protocol.ProtocolException or Xunit.Sdk.XunitException)
            {
                response = null; // a TLS alert is not a Kafka frame
            }

            Assert.Null(response);
            Assert.True(await connection.IsClosedByBrokerAsync());
        }

        await broker.AssertConnectionsBackToAsync(baseline);
    }

    private Dictionary<string, string> SaslSslSettings() => new()
    {
        ["listeners"] = "PLAINTEXT://127.0.0.1:0,SASL_SSL://127.0.0.1:0",
        ["ssl.keystore.type"] = "PEM",
        ["ssl.keystore.certificate.chain"] = _certificates.ServerChainPem,
        ["ssl.keystore.key"] = _certificates.ServerKeyPem,
        ["listener.name.sasl_ssl.sasl.enabled.mechanisms"] = "SCRAM-SHA-256",
    };

    [Fact]
    public async Task Sasl_ssl_with_scram_serves_librdkafka()
    {
        await using var broker = await AuthenticationBroker.StartAsync(output, SaslSslSettings(), "SCRAM-SHA-256=[name=svc,password=svc-secret]");
        await ProduceAndReadBackAsync(broker.Bootstrap("SASL_SSL"), "sasl-ssl-topic", c =>
        {
            c.SecurityProtocol = SecurityProtocol.SaslSsl;
            c.SslCaLocation = _certificates.CaPath;
            c.SaslMechanism = SaslMechanism.ScramSha256;
            c.SaslUsername = "svc";
            c.SaslPassword = "svc-secret";
        });
        Assert.Contains(broker.Audit, line => line.Contains("principal User:svc mechanism SCRAM-SHA-256 listener SASL_SSL", StringComparison.Ordinal));
    }

    [SkippableFact]
    public async Task Kcat_produces_and_consumes_over_sasl_ssl_with_scram()
    {
        Skip.If(Kcat.Path is null, "kcat is not installed (Debian package 'kcat')");
        await using var broker = await AuthenticationBroker.StartAsync(output, SaslSslSettings(), "SCRAM-SHA-256=[name=svc,password=svc-secret]");
        string[] secure =
        [
            "-b", broker.Bootstrap("SASL_SSL"), "-X", "security.protocol=SASL_SSL", "-X", "sasl.mechanisms=SCRAM-SHA-256",
            "-X", "sasl.username=svc", "-X", "sasl.password=svc-secret", "-X", $"ssl.ca.location={_certificates.CaPath}",
        ];
        await Kcat.RunOkAsync("k1:one\nk2:two\n", [.. secure, "-P", "-t", "kcat-secure", "-K", ":"]);
        var consumed = await Kcat.RunOkAsync("", [.. secure, "-C", "-t", "kcat-secure", "-o", "beginning", "-e", "-f", "%k=%s\n"]);
        Assert.Equal("k1=one\nk2=two\n", consumed);
    }
}
