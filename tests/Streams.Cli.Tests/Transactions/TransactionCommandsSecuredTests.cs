using Confluent.Kafka;
using Streams.Broker;
using Streams.Cli.Tests.Support;
using Streams.Tests.Shared;

namespace Streams.Cli.Tests.Transactions;

/// <summary>
/// <c>streams transactions</c> against an embedded broker's SASL_SSL listener and its SSL listener that requires client
/// certificates: the raw connections take the TLS and SASL settings of --config and -X, as the commands' AdminClient
/// does (SCRAM-SHA-256/512 and PLAIN; a PEM client certificate and key).
/// </summary>
public sealed class TransactionCommandsSecuredTests : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);
    private readonly AuthenticationCertificates _certificates = new();
    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), "streams-cli-tests", Guid.NewGuid().ToString("N"));
    private KafkaBroker _broker = null!;

    private string SaslSsl => _broker.BootstrapServersFor("SASL_SSL");

    public async Task InitializeAsync()
    {
        var options = new BrokerOptions { Port = 0, DataDirectory = _dataDirectory };
        options.Settings["listeners"] = "PLAINTEXT://127.0.0.1:0,SASL_SSL://127.0.0.1:0,SSL://127.0.0.1:0";
        options.Settings["listener.name.ssl.ssl.client.auth"] = "required";
        options.Settings["listener.name.ssl.ssl.truststore.location"] = _certificates.CaPath;
        options.Settings["ssl.keystore.type"] = "PEM";
        options.Settings["ssl.keystore.certificate.chain"] = _certificates.ServerChainPem;
        options.Settings["ssl.keystore.key"] = _certificates.ServerKeyPem;
        options.Settings["sasl.enabled.mechanisms"] = "PLAIN,SCRAM-SHA-256,SCRAM-SHA-512";
        options.Settings["listener.name.sasl_ssl.plain.sasl.jaas.config"] = "org.apache.kafka.common.security.plain.PlainLoginModule required user_operator=\"plain-secret\";";
        options.ScramUsers.Add("SCRAM-SHA-256=[name=ops256,password=ops-secret-256]");
        options.ScramUsers.Add("SCRAM-SHA-512=[name=ops512,password=ops-secret-512]");
        _broker = await KafkaBroker.StartAsync(options);
    }

    public async Task DisposeAsync()
    {
        await _broker.DisposeAsync();
        _certificates.Dispose();
        try
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static async Task<CliRun> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exitCode = await StreamsCli.RunAsync(args, output, error);
        return new CliRun(exitCode, output.ToString(), error.ToString());
    }

    private string[] Secured(string mechanism, string user, string password) =>
    [
        "--bootstrap", SaslSsl, "-X", "security.protocol=SASL_SSL", "-X", $"sasl.mechanism={mechanism}",
        "-X", $"sasl.username={user}", "-X", $"sasl.password={password}", "-X", $"ssl.ca.location={_certificates.CaPath}",
    ];

    [Fact]
    public async Task List_describe_and_find_hanging_work_over_SASL_SSL_with_SCRAM_and_PLAIN()
    {
        var id = "secured-" + Guid.NewGuid().ToString("N")[..8];
        const string topic = "secured-transactions";
        using (var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = _broker.BootstrapServers }).Build())
        {
            await admin.CreateTopicsAsync([new Confluent.Kafka.Admin.TopicSpecification { Name = topic, NumPartitions = 1, ReplicationFactor = 1 }]);
        }

        using var producer = new ProducerBuilder<string, string>(new ProducerConfig { BootstrapServers = _broker.BootstrapServers, TransactionalId = id }).Build();
        producer.InitTransactions(Timeout);
        producer.BeginTransaction();
        await producer.ProduceAsync(topic, new Message<string, string> { Key = "k", Value = "open" });

        // SCRAM-SHA-512 from -X settings.
        var list = await RunAsync(["transactions", "list", "-o", "json", .. Secured("SCRAM-SHA-512", "ops512", "ops-secret-512")]);
        Assert.True(list.ExitCode == 0, list.ToString());
        var listed = Assert.Single(list.Json.EnumerateArray(), t => t.GetProperty("transactionalId").GetString() == id);
        Assert.Equal("Ongoing", listed.GetProperty("state").GetString());

        // SCRAM-SHA-256 from a --config properties file (librdkafka's plural spelling), TLS trusting the file's CA.
        var config = Path.Combine(_dataDirectory, "cli.properties");
        await File.WriteAllLinesAsync(config,
        [
            "security.protocol=SASL_SSL", "sasl.mechanisms=SCRAM-SHA-256", "sasl.username=ops256", "sasl.password=ops-secret-256",
            $"ssl.ca.location={_certificates.CaPath}",
        ]);
        var described = await RunAsync("transactions", "describe", id, "-o", "json", "--config", config, "--bootstrap", SaslSsl);
        Assert.True(described.ExitCode == 0, described.ToString());
        Assert.Equal("Ongoing", described.Json.GetProperty("state").GetString());
        Assert.Equal(topic, Assert.Single(described.Json.GetProperty("partitions").EnumerateArray()).GetProperty("topic").GetString());

        // PLAIN: DescribeProducers at the partition's leader, then the coordinator: a tracked transaction is not hanging.
        var hanging = await RunAsync(["transactions", "find-hanging", "--topic", topic, "--max-transaction-timeout", "0", "-o", "json", .. Secured("PLAIN", "operator", "plain-secret")]);
        Assert.True(hanging.ExitCode == 0, hanging.ToString());
        Assert.Equal(0, hanging.Json.GetArrayLength());
        producer.AbortTransaction(Timeout);
    }

    [Fact]
    public async Task List_works_over_SSL_with_a_client_certificate()
    {
        var run = await RunAsync("transactions", "list", "-o", "json", "--bootstrap", _broker.BootstrapServersFor("SSL"), "-X", "security.protocol=SSL",
            "-X", $"ssl.ca.location={_certificates.CaPath}", "-X", $"ssl.certificate.location={_certificates.ClientCertPath}", "-X", $"ssl.key.location={_certificates.ClientKeyPath}");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal(System.Text.Json.JsonValueKind.Array, run.Json.ValueKind);
    }

    [Fact]
    public async Task A_mechanism_the_raw_client_cannot_speak_is_a_usage_error_naming_it()
    {
        var run = await RunAsync("transactions", "list", "--bootstrap", SaslSsl, "-X", "security.protocol=SASL_SSL", "-X", "sasl.mechanism=GSSAPI");

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("GSSAPI", run.Error, StringComparison.Ordinal);
    }
}
