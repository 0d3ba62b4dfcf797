using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Streams.Broker.Tests.Support;

namespace Streams.Broker.Tests.Hosting;

/// <summary>
/// The broker published as Native AOT (README, "Native AOT broker"): what reflection would break there, the JSON
/// files of the data directory (topic metadata, ACLs, SCRAM credentials), written, then read again by a restart,
/// with kcat (librdkafka in C) as the client. Publishing takes minutes, so the test runs the executable named by
/// <c>STREAMS_TEST_BROKER_EXE</c> and is reported skipped without it.
/// </summary>
public sealed class NativeAotBrokerTests : IDisposable
{
    private const string Topic = "aot-orders";

    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), "streams-broker-tests", "aot-" + Guid.NewGuid().ToString("N"));

    private static readonly string[] Settings =
    [
        "--set", "listeners=SASL_PLAINTEXT://127.0.0.1:0",
        "--set", "sasl.enabled.mechanisms=SCRAM-SHA-256",
        "--set", "authorizer.class.name=kafka.security.authorizer.AclAuthorizer",
        "--set", "super.users=User:admin",
    ];

    private static string[] Kcat(string bootstrap, string user, string password, params string[] args) =>
    [
        "-b", bootstrap, "-X", "security.protocol=SASL_PLAINTEXT", "-X", "sasl.mechanisms=SCRAM-SHA-256",
        "-X", $"sasl.username={user}", "-X", $"sasl.password={password}", .. args,
    ];

    private static Task<(int ExitCode, string Stdout, string Stderr)> ProduceAsync(string bootstrap, string user, string password, string lines) =>
        Support.Kcat.RunAsync(lines, Kcat(bootstrap, user, password, "-P", "-t", Topic, "-K", ":", "-X", "message.timeout.ms=10000"));

    private static async Task<string[]> ConsumeAllAsync(string bootstrap) =>
        (await Support.Kcat.RunOkAsync("", Kcat(bootstrap, "alice", "alice-secret", "-C", "-t", Topic, "-o", "beginning", "-e", "-f", "%k=%s@%o\n")))
        .Split('\n', StringSplitOptions.RemoveEmptyEntries);

    [SkippableFact]
    public async Task The_native_broker_serves_kcat_over_scram_with_acls_and_keeps_topics_acls_and_users_across_a_restart()
    {
        Skip.If(BrokerProcess.NativeExecutable is null, "STREAMS_TEST_BROKER_EXE is not set: publish the broker with -p:PublishAot=true (README, \"Native AOT broker\") and name the executable");
        Skip.If(Support.Kcat.Path is null, "kcat is not installed (Debian package 'kcat'; .ci/run installs it)");

        using (var broker = await BrokerProcess.StartAsync(_dataDirectory, [.. Settings,
            "--add-scram", "SCRAM-SHA-256=[name=admin,password=admin-secret]",
            "--add-scram", "SCRAM-SHA-256=[name=alice,password=alice-secret]",
            "--add-scram", "SCRAM-SHA-256=[name=mallory,password=mallory-secret]"]))
        {
            using (var admin = new AdminClientBuilder(new AdminClientConfig
            {
                BootstrapServers = broker.BootstrapServers,
                SecurityProtocol = SecurityProtocol.SaslPlaintext,
                SaslMechanism = SaslMechanism.ScramSha256,
                SaslUsername = "admin",
                SaslPassword = "admin-secret",
            }).Build())
            {
                await admin.CreateTopicsAsync([new TopicSpecification { Name = Topic, NumPartitions = 1, ReplicationFactor = 1, Configs = new() { ["retention.ms"] = "-1" } }]);
                await admin.CreateAclsAsync([AllowAlice(AclOperation.Write), AllowAlice(AclOperation.Read), AllowAlice(AclOperation.Describe)]);
            }

            var produced = await ProduceAsync(broker.BootstrapServers, "alice", "alice-secret", "k0:v0\nk1:v1\nk2:v2\n");
            Assert.True(produced.ExitCode == 0, produced.Stderr);
            Assert.Equal(["k0=v0@0", "k1=v1@1", "k2=v2@2"], await ConsumeAllAsync(broker.BootstrapServers));

            var refused = await ProduceAsync(broker.BootstrapServers, "mallory", "mallory-secret", "m:no\n");
            Assert.Contains("Topic authorization failed", refused.Stderr, StringComparison.OrdinalIgnoreCase);
            Assert.Equal(0, await broker.TerminateAsync());
        }

        Assert.True(File.Exists(Path.Combine(_dataDirectory, "meta", "topics", Topic + ".json")));
        Assert.True(File.Exists(Path.Combine(_dataDirectory, "meta", "acls.json")));
        Assert.True(File.Exists(Path.Combine(_dataDirectory, "meta", "scram-credentials.json")));

        // No --add-scram now: the users come from the file, alice's rights from acls.json, the topic from its metadata.
        using (var broker = await BrokerProcess.StartAsync(_dataDirectory, Settings))
        {
            Assert.Equal(["k0=v0@0", "k1=v1@1", "k2=v2@2"], await ConsumeAllAsync(broker.BootstrapServers));
            var produced = await ProduceAsync(broker.BootstrapServers, "alice", "alice-secret", "k3:v3\n");
            Assert.True(produced.ExitCode == 0, produced.Stderr);
            Assert.Equal("k3=v3@3", (await ConsumeAllAsync(broker.BootstrapServers))[^1]);

            var wrongPassword = await ProduceAsync(broker.BootstrapServers, "alice", "guess", "k:no\n");
            Assert.Contains("authentication", wrongPassword.Stderr, StringComparison.OrdinalIgnoreCase);
            var refused = await ProduceAsync(broker.BootstrapServers, "mallory", "mallory-secret", "m:no\n");
            Assert.Contains("Topic authorization failed", refused.Stderr, StringComparison.OrdinalIgnoreCase);
            Assert.Empty(broker.ErrorLines);
        }
    }

    private static AclBinding AllowAlice(AclOperation operation) => new()
    {
        Pattern = new ResourcePattern { Type = ResourceType.Topic, Name = Topic, ResourcePatternType = ResourcePatternType.Literal },
        Entry = new AccessControlEntry { Principal = "User:alice", Host = "*", Operation = operation, PermissionType = AclPermissionType.Allow },
    };

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
