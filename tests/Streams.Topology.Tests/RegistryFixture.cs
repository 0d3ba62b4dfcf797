using Confluent.SchemaRegistry;
using Streams.Broker;
using Streams.Registry;

namespace Streams.Topology.Tests;

/// <summary>
/// The real schema registry (over HTTP, storing schemas on an embedded broker) that the topologies' Avro SerDes
/// talk to, shared by the tests of one class. TopologyTestDriver itself needs no broker.
/// </summary>
public sealed class RegistryFixture : IAsyncLifetime
{
    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), "streams-topology-tests", Guid.NewGuid().ToString("N"));
    private KafkaBroker _broker = null!;
    private SchemaRegistryHost _registry = null!;

    public ISchemaRegistryClient Client { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        _broker = await KafkaBroker.StartAsync(new BrokerOptions { Port = 0, DataDirectory = _dataDirectory });
        _registry = await SchemaRegistryHost.StartAsync(new SchemaRegistryOptions { KafkaBootstrapServers = _broker.BootstrapServers, Listen = "http://127.0.0.1:0" });
        Client = new CachedSchemaRegistryClient(new SchemaRegistryConfig { Url = _registry.Url });
    }

    public async Task DisposeAsync()
    {
        Client.Dispose();
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
