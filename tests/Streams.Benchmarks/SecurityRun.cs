using System.Diagnostics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Confluent.Kafka;
using Spectre.Console;
using Streams.Broker;

namespace Streams.Benchmarks;

/// <summary>
/// Issue 12's figures in one run on one embedded broker: produce throughput on PLAINTEXT, SSL and SASL_SSL listeners
/// (the ratio to PLAINTEXT is the cost of TLS and SASL), and connection setup time (connect, SASL, first Metadata) with
/// SCRAM-SHA-256 users of 4096 and 8192 iterations beside PLAIN.
/// </summary>
internal static class SecurityRun
{
    public static async Task RunAsync(int messages, int valueSize)
    {
        var folder = Path.Combine(Path.GetTempPath(), "streams-bench-security-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        try
        {
            var (serverPem, caPath) = WriteCertificates(folder);
            var options = new BrokerOptions { Port = 0, DataDirectory = Path.Combine(folder, "data") };
            options.Settings["listeners"] = "PLAINTEXT://127.0.0.1:0,SSL://127.0.0.1:0,SASL_SSL://127.0.0.1:0,SASL_PLAINTEXT://127.0.0.1:0";
            options.Settings["ssl.keystore.location"] = serverPem;
            options.Settings["listener.name.sasl_plaintext.plain.sasl.jaas.config"] =
                "org.apache.kafka.common.security.plain.PlainLoginModule required user_plain=\"plain-secret\";";
            options.ScramUsers.Add("SCRAM-SHA-256=[name=bench,password=bench-secret,iterations=4096]");
            options.ScramUsers.Add("SCRAM-SHA-256=[name=bench8192,password=bench-secret,iterations=8192]");
            await using var broker = await KafkaBroker.StartAsync(options).ConfigureAwait(false);

            var throughput = new Table().AddColumns("listener", "produce msg/s", "MB/s", "vs PLAINTEXT");
            double? plaintextRate = null;
            foreach (var (listener, secure) in new (string, Action<ClientConfig>)[]
            {
                ("PLAINTEXT", _ => { }),
                ("SSL", c => { c.SecurityProtocol = SecurityProtocol.Ssl; c.SslCaLocation = caPath; }),
                ("SASL_SSL", c =>
                {
                    c.SecurityProtocol = SecurityProtocol.SaslSsl;
                    c.SslCaLocation = caPath;
                    c.SaslMechanism = SaslMechanism.ScramSha256;
                    c.SaslUsername = "bench";
                    c.SaslPassword = "bench-secret";
                }),
            })
            {
                var rate = await ProduceRateAsync(broker.BootstrapServersFor(listener), "bench-" + listener.ToLowerInvariant(), messages, valueSize, secure).ConfigureAwait(false);
                plaintextRate ??= rate;
                throughput.AddRow(listener, $"{rate:N0}", $"{rate * valueSize / (1024 * 1024):F1}", $"{rate / plaintextRate.Value:P0}");
            }

            AnsiConsole.Write(throughput);

            var setup = new Table().AddColumns("login (SASL_PLAINTEXT)", "connection setup ms, median of 10 (min..max)");
            foreach (var (name, mechanism, user, password) in new[]
            {
                ("PLAIN", SaslMechanism.Plain, "plain", "plain-secret"),
                ("SCRAM-SHA-256, 4096 iterations", SaslMechanism.ScramSha256, "bench", "bench-secret"),
                ("SCRAM-SHA-256, 8192 iterations", SaslMechanism.ScramSha256, "bench8192", "bench-secret"),
            })
            {
                var samples = new List<double>();
                for (var i = 0; i < 11; i++)
                {
                    var watch = Stopwatch.StartNew();
                    using var admin = new AdminClientBuilder(new AdminClientConfig
                    {
                        BootstrapServers = broker.BootstrapServersFor("SASL_PLAINTEXT"),
                        SecurityProtocol = SecurityProtocol.SaslPlaintext,
                        SaslMechanism = mechanism,
                        SaslUsername = user,
                        SaslPassword = password,
                    }).Build();
                    admin.GetMetadata(TimeSpan.FromSeconds(10));
                    if (i > 0)
                    {
                        samples.Add(watch.Elapsed.TotalMilliseconds); // the first run warms up the client library
                    }
                }

                samples.Sort();
                setup.AddRow(name, $"{samples[samples.Count / 2]:F1} ({samples[0]:F1}..{samples[^1]:F1})");
            }

            AnsiConsole.Write(setup);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static async Task<double> ProduceRateAsync(string bootstrap, string topic, int messages, int valueSize, Action<ClientConfig> secure)
    {
        var config = new ProducerConfig { BootstrapServers = bootstrap, LingerMs = 5, Acks = Acks.All, BatchSize = 1024 * 1024 };
        secure(config);
        using var producer = new ProducerBuilder<Null, byte[]>(config).Build();
        var value = new byte[valueSize];
        await producer.ProduceAsync(topic, new Message<Null, byte[]> { Value = value }).ConfigureAwait(false); // connect and create the topic first
        var watch = Stopwatch.StartNew();
        for (var i = 0; i < messages; i++)
        {
            while (true)
            {
                try
                {
                    producer.Produce(topic, new Message<Null, byte[]> { Value = value });
                    break;
                }
                catch (ProduceException<Null, byte[]> ex) when (ex.Error.Code == ErrorCode.Local_QueueFull)
                {
                    producer.Poll(TimeSpan.FromMilliseconds(10));
                }
            }
        }

        producer.Flush(TimeSpan.FromMinutes(5));
        return messages / watch.Elapsed.TotalSeconds;
    }

    /// <summary>A CA and a server certificate for 127.0.0.1, made for this run only.</summary>
    private static (string ServerPem, string CaPath) WriteCertificates(string folder)
    {
        using var caKey = RSA.Create(2048);
        var caRequest = new CertificateRequest("CN=Streams Benchmark CA", caKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign, true));
        using var ca = caRequest.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-2), DateTimeOffset.UtcNow.AddDays(3));
        using var serverKey = RSA.Create(2048);
        var request = new CertificateRequest("CN=localhost", serverKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(System.Net.IPAddress.Loopback);
        names.AddDnsName("localhost");
        request.CertificateExtensions.Add(names.Build());
        using var server = request.Create(ca, DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1), RandomNumberGenerator.GetBytes(8));
        var serverPem = Path.Combine(folder, "server.pem");
        var caPath = Path.Combine(folder, "ca.pem");
        File.WriteAllText(serverPem, server.ExportCertificatePem() + "\n" + serverKey.ExportPkcs8PrivateKeyPem());
        File.WriteAllText(caPath, ca.ExportCertificatePem());
        return (serverPem, caPath);
    }
}
