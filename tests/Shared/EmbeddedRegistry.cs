using Confluent.SchemaRegistry;
using Streams.Broker;
using Streams.Registry;

namespace Streams.Tests.Shared;

/// <summary>
/// The embedded broker and schema registry, started once for the tests of a class. Shared by the library test
/// projects (linked into each, see their csproj) so they start the infrastructure the same way.
/// </summary>
public sealed class EmbeddedRegistry : IAsyncLifetime
{
    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), "streams-tests", Guid.NewGuid().ToString("N"));
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
