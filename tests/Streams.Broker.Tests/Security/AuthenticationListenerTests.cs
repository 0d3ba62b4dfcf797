using System.Diagnostics;
using System.Text;
using Streams.Broker.Protocol.Messages;
using Streams.Broker.Tests.Support;
using Xunit.Abstractions;

namespace Streams.Broker.Tests.Security;

/// <summary>Several listeners at once, each advertising itself; other clients (python kafka) on a SASL listener.</summary>
public sealed class AuthenticationListenerTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Each_listener_advertises_its_own_port_in_metadata_and_find_coordinator()
    {
        await using var broker = await AuthenticationBroker.StartAsync(output, AuthenticationSaslTests.Settings());
        var plaintext = broker.Broker.Listeners.Single(l => l.Name == "PLAINTEXT");
        var sasl = broker.Broker.Listeners.Single(l => l.Name == "SASL_PLAINTEXT");
        Assert.NotEqual(plaintext.Port, sasl.Port);
        Assert.Equal(plaintext.Port, broker.Broker.Port);

        using (var connection = await RawConnection.ConnectAsync(plaintext.BootstrapServers))
        {
            var metadata = await connection.SendAsync<MetadataRequest, MetadataResponse>(new MetadataRequest { Topics = [] }, 4);
            Assert.Equal(plaintext.Port, Assert.Single(metadata!.Brokers).Port);
        }

        using (var connection = await RawConnection.ConnectAsync(sasl.BootstrapServers))
        {
            await connection.SendAsync<SaslHandshakeRequest, SaslHandshakeResponse>(new SaslHandshakeRequest { Mechanism = "PLAIN" }, 1);
            var login = await connection.SendAsync<SaslAuthenticateRequest, SaslAuthenticateResponse>(
                new SaslAuthenticateRequest { AuthBytes = Encoding.UTF8.GetBytes("\0alice\0alice-secret") }, 2);
            Assert.Equal(Broker.Protocol.ErrorCode.None, login!.ErrorCode);
            var metadata = await connection.SendAsync<MetadataRequest, MetadataResponse>(new MetadataRequest { Topics = [] }, 4);
            Assert.Equal(sasl.Port, Assert.Single(metadata!.Brokers).Port);
            var coordinator = await connection.SendAsync<FindCoordinatorRequest, FindCoordinatorResponse>(new FindCoordinatorRequest { Key = "g" }, 1);
            Assert.Equal(sasl.Port, coordinator!.Port);
        }
    }

    [Fact]
    public async Task Advertised_listeners_override_what_metadata_says()
    {
        await using var broker = await AuthenticationBroker.StartAsync(output, new Dictionary<string, string>
        {
            ["listeners"] = "INTERNAL://127.0.0.1:0,EXTERNAL://127.0.0.1:0",
            ["listener.security.protocol.map"] = "INTERNAL:PLAINTEXT,EXTERNAL:PLAINTEXT",
            ["advertised.listeners"] = "EXTERNAL://broker.example.com:19092",
        });
        var external = broker.Broker.Listeners.Single(l => l.Name == "EXTERNAL");
        Assert.Equal("broker.example.com", external.Host);
        using var connection = await RawConnection.ConnectAsync($"127.0.0.1:{external.Port}");
        var metadata = await connection.SendAsync<MetadataRequest, MetadataResponse>(new MetadataRequest { Topics = [] }, 4);
        var advertised = Assert.Single(metadata!.Brokers);
        Assert.Equal(("broker.example.com", 19092), (advertised.Host, advertised.Port));
    }

    [Theory]
    [InlineData("listeners", "PLAINTEXT://127.0.0.1:0,PLAINTEXT://127.0.0.1:0", "used more than once")]
    [InlineData("listeners", "CUSTOM://127.0.0.1:0", "no security protocol for listener CUSTOM")]
    [InlineData("listeners", "127.0.0.1:9092", "is not NAME://host:port")]
    [InlineData("ssl.client.auth", "sometimes", "none, requested or required")]
    public async Task Bad_listener_settings_are_refused_at_start(string name, string value, string message)
    {
        var settings = new Dictionary<string, string> { [name] = value };
        if (name.StartsWith("ssl.", StringComparison.Ordinal))
        {
            settings["listeners"] = "SSL://127.0.0.1:0";
        }

        var ex = await Assert.ThrowsAsync<ArgumentException>(() => AuthenticationBroker.StartAsync(output, settings));
        Assert.Contains(message, ex.Message, StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task Python_kafka_logs_in_with_sasl_plain()
    {
        // Debian's python3-kafka lives with the system interpreter, which may not be the first python3 on the PATH.
        string? pythonPath = null;
        foreach (var candidate in new[] { "/usr/bin/python3", "python3" })
        {
            try
            {
                using var check = Process.Start(new ProcessStartInfo(candidate, ["-c", "import kafka"]) { RedirectStandardError = true })!;
                await check.WaitForExitAsync();
                if (check.ExitCode == 0)
                {
                    pythonPath = candidate;
                    break;
                }
            }
            catch (System.ComponentModel.Win32Exception)
            {
            }
        }

        Skip.If(pythonPath is null, "python3 with the kafka package (Debian python3-kafka) is not installed");

        await using var broker = await AuthenticationBroker.StartAsync(output, AuthenticationSaslTests.Settings());
        var script = $$"""
            from kafka import KafkaProducer, KafkaConsumer, TopicPartition
            common = dict(bootstrap_servers='{{broker.Bootstrap("SASL_PLAINTEXT")}}', security_protocol='SASL_PLAINTEXT',
                          sasl_mechanism='PLAIN', sasl_plain_username='alice', sasl_plain_password='alice-secret', api_version=(2, 5, 0))
            producer = KafkaProducer(**common)
            producer.send('python-topic', b'from python').get(timeout=30)
            producer.close()
            consumer = KafkaConsumer(**common, auto_offset_reset='earliest', consumer_timeout_ms=10000)
            tp = TopicPartition('python-topic', 0)
            consumer.assign([tp])
            consumer.seek_to_beginning(tp)
            print([m.value.decode() for m in consumer][0])
            """;
        var info = new ProcessStartInfo(pythonPath!, ["-c", script]) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var python = Process.Start(info)!;
        var stdout = python.StandardOutput.ReadToEndAsync();
        var stderr = python.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await python.WaitForExitAsync(timeout.Token);
        Assert.True(python.ExitCode == 0, $"python kafka failed: {await stderr}");
        Assert.Equal("from python", (await stdout).Trim());
        Assert.Contains(broker.Audit, line => line.Contains("principal User:alice mechanism PLAIN listener SASL_PLAINTEXT", StringComparison.Ordinal));
    }
}
