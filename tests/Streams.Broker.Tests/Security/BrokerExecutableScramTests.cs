using Confluent.Kafka;
using Streams.Broker.Tests.Support;

namespace Streams.Broker.Tests.Security;

/// <summary>The broker executable's <c>--add-scram</c> (the syntax of <c>kafka-storage format --add-scram</c>), logged into by librdkafka.</summary>
public sealed class BrokerExecutableScramTests : IDisposable
{
    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), "streams-broker-tests", "exe-scram-" + Guid.NewGuid().ToString("N"));

    private static void Scram(ClientConfig config, SaslMechanism mechanism, string user, string password)
    {
        config.SecurityProtocol = SecurityProtocol.SaslPlaintext;
        config.SaslMechanism = mechanism;
        config.SaslUsername = user;
        config.SaslPassword = password;
    }

    private static async Task<long> ProduceAsync(string bootstrap, SaslMechanism mechanism, string user, string password)
    {
        using var producer = Clients.Producer<string, string>(bootstrap, c => Scram(c, mechanism, user, password));
        return (await producer.ProduceAsync("exe-scram", new Message<string, string> { Key = user, Value = "v" })).Offset.Value;
    }

    [Fact]
    public async Task Users_added_on_the_command_line_log_in_with_scram_and_still_do_after_a_restart_without_the_option()
    {
        string[] settings =
        [
            "--set", "listeners=SASL_PLAINTEXT://127.0.0.1:0",
            "--set", "sasl.enabled.mechanisms=SCRAM-SHA-256,SCRAM-SHA-512",
            "--set", "auto.create.topics.enable=true",
        ];
        using (var broker = await BrokerProcess.StartAsync(_dataDirectory, [.. settings,
            "--add-scram", "SCRAM-SHA-256=[name=admin,password=admin-secret]",
            "--add-scram", "SCRAM-SHA-512=[name=alice,iterations=8192,password=alice-secret]"]))
        {
            Assert.Equal(0, await ProduceAsync(broker.BootstrapServers, SaslMechanism.ScramSha256, "admin", "admin-secret"));
            Assert.Equal(1, await ProduceAsync(broker.BootstrapServers, SaslMechanism.ScramSha512, "alice", "alice-secret"));

            var config = new ProducerConfig { BootstrapServers = broker.BootstrapServers, MessageTimeoutMs = 3000 };
            Scram(config, SaslMechanism.ScramSha256, "admin", "guess");
            using var refused = new ProducerBuilder<string, string>(config).SetErrorHandler((_, _) => { }).Build();
            var ex = await Assert.ThrowsAsync<ProduceException<string, string>>(() => refused.ProduceAsync("exe-scram", new Message<string, string> { Key = "k", Value = "no" }));
            Assert.NotEqual(ErrorCode.NoError, ex.Error.Code);
            Assert.Equal(0, await broker.TerminateAsync());
        }

        using (var broker = await BrokerProcess.StartAsync(_dataDirectory, settings))
        {
            Assert.Equal(2, await ProduceAsync(broker.BootstrapServers, SaslMechanism.ScramSha256, "admin", "admin-secret"));
            Assert.Equal(3, await ProduceAsync(broker.BootstrapServers, SaslMechanism.ScramSha512, "alice", "alice-secret"));
        }
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
