using Confluent.SchemaRegistry;
using Streams.Broker;
using Streams.Registry.Tests.Support;

namespace Streams.Registry.Tests.Security;

/// <summary>The registry's own Kafka clients authenticating to a broker that requires SASL.</summary>
public sealed class SecuredKafkaTests : IAsyncLifetime
{
    private const string Jaas =
        "org.apache.kafka.common.security.plain.PlainLoginModule required user_registry=\"registry-secret\";";

    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), "streams-registry-tests", Guid.NewGuid().ToString("N"));
    private KafkaBroker _broker = null!;

    public async Task InitializeAsync()
    {
        var options = new BrokerOptions { Port = 0, DataDirectory = _dataDirectory };
        options.Settings["listeners"] = "SASL_PLAINTEXT://127.0.0.1:0";
        options.Settings["listener.name.sasl_plaintext.plain.sasl.jaas.config"] = Jaas;
        options.Settings["sasl.enabled.mechanisms"] = "PLAIN";
        _broker = await KafkaBroker.StartAsync(options);
    }

    public async Task DisposeAsync()
    {
        await _broker.DisposeAsync();
        Directory.Delete(_dataDirectory, recursive: true);
    }

    [Fact]
    public async Task Registry_with_sasl_settings_stores_schemas_on_a_sasl_only_broker_and_reads_them_back()
    {
        var subject = TestSchemas.Subject("sasl");
        int id;
        await using (var registry = await SchemaRegistryHost.StartAsync(Options("registry-secret")))
        {
            using var client = new CachedSchemaRegistryClient(new SchemaRegistryConfig { Url = registry.Url });
            id = await client.RegisterSchemaAsync(subject, new Schema(TestSchemas.User, SchemaType.Avro));
        }

        // A second start reads _schemas back through the authenticated consumer.
        await using var restarted = await SchemaRegistryHost.StartAsync(Options("registry-secret"));
        using var reader = new CachedSchemaRegistryClient(new SchemaRegistryConfig { Url = restarted.Url });
        Assert.Equal(id, (await reader.GetLatestSchemaAsync(subject)).Id);
    }

    [Fact]
    public async Task Registry_with_a_wrong_kafka_password_does_not_start()
    {
        await Assert.ThrowsAnyAsync<Exception>(() => SchemaRegistryHost.StartAsync(Options("wrong")));
    }

    private SchemaRegistryOptions Options(string password)
    {
        var options = new SchemaRegistryOptions
        {
            KafkaBootstrapServers = _broker.BootstrapServersFor("SASL_PLAINTEXT"),
            Listen = "http://127.0.0.1:0",
            KafkaTimeout = TimeSpan.FromSeconds(10),
        };
        options.KafkaSettings["security.protocol"] = "SASL_PLAINTEXT";
        options.KafkaSettings["sasl.mechanism"] = "PLAIN";
        options.KafkaSettings["sasl.username"] = "registry";
        options.KafkaSettings["sasl.password"] = password;
        return options;
    }
}
