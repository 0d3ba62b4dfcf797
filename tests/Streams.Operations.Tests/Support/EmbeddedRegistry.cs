using Confluent.SchemaRegistry;
using Streams.Broker;
using Streams.Registry;

namespace Streams.Operations.Tests.Support;

/// <summary>The embedded broker and schema registry, started once for the tests of a class.</summary>
public sealed class EmbeddedRegistry : IAsyncLifetime
{
    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), "streams-operations-tests", Guid.NewGuid().ToString("N"));
    private KafkaBroker _broker = null!;
    private SchemaRegistryHost _registry = null!;

    public CachedSchemaRegistryClient Client() => new(new SchemaRegistryConfig { Url = _registry.Url });

    public async Task InitializeAsync()
    {
        _broker = await KafkaBroker.StartAsync(new BrokerOptions { Port = 0, DataDirectory = _dataDirectory });
        _registry = await SchemaRegistryHost.StartAsync(new SchemaRegistryOptions { KafkaBootstrapServers = _broker.BootstrapServers, Listen = "http://127.0.0.1:0" });
    }

    public async Task DisposeAsync()
    {
        await _registry.DisposeAsync();
        await _broker.DisposeAsync();
        try
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
