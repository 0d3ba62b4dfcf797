using DotNet.Testcontainers.Builders;
using DotNet.Testcontainers.Configurations;
using DotNet.Testcontainers.Containers;
using DotNet.Testcontainers.Networks;
using Testcontainers.Kafka;

namespace Streams.IntegrationTests;

/// <summary>
/// Apache Kafka (KRaft, Testcontainers.Kafka) and Confluent Schema Registry in throwaway containers on their own
/// network, the same images as docker-compose.kafka.yml. The registry reaches Kafka on an extra listener
/// (<c>kafka:19092</c>) inside the network; the tests use the mapped ports on the host.
/// </summary>
public sealed class KafkaContainers : IAsyncDisposable
{
    public const string KafkaImage = "apache/kafka:4.1.0";
    public const string RegistryImage = "confluentinc/cp-schema-registry:8.0.0";
    private const string NetworkAlias = "kafka";
    private const ushort RegistryPort = 8081;

    private readonly INetwork _network;
    private readonly KafkaContainer _kafka;
    private readonly IContainer _registry;

    private KafkaContainers(INetwork network, KafkaContainer kafka, IContainer registry)
    {
        _network = network;
        _kafka = kafka;
        _registry = registry;
    }

    public string BootstrapServers => $"{_kafka.Hostname}:{_kafka.GetMappedPublicPort(KafkaBuilder.KafkaPort)}";

    public string SchemaRegistryUrl => $"http://{_registry.Hostname}:{_registry.GetMappedPublicPort(RegistryPort)}";

    /// <summary>Why Testcontainers cannot run here, or null when a Docker engine answers.</summary>
    public static string? DockerUnavailableReason()
    {
        try
        {
            return TestcontainersSettings.OS.DockerEndpointAuthConfig is null
                ? "Docker is not available: Testcontainers found no Docker engine (no DOCKER_HOST, no reachable /var/run/docker.sock)"
                : null;
        }
#pragma warning disable CA1031 // any failure to find an engine means the same thing here: no Docker
        catch (Exception ex)
#pragma warning restore CA1031
        {
            return $"Docker is not available: {ex.Message}";
        }
    }

    public static async Task<KafkaContainers> StartAsync(CancellationToken cancellationToken = default)
    {
        var network = new NetworkBuilder().Build();
        await network.CreateAsync(cancellationToken);
        var kafka = new KafkaBuilder(KafkaImage)
            .WithNetwork(network)
            .WithListener($"{NetworkAlias}:19092")
            .Build();
        var registry = new ContainerBuilder(RegistryImage)
            .WithNetwork(network)
            .WithPortBinding(RegistryPort, assignRandomHostPort: true)
            .WithEnvironment("SCHEMA_REGISTRY_HOST_NAME", "schema-registry")
            .WithEnvironment("SCHEMA_REGISTRY_LISTENERS", $"http://0.0.0.0:{RegistryPort}")
            .WithEnvironment("SCHEMA_REGISTRY_KAFKASTORE_BOOTSTRAP_SERVERS", $"PLAINTEXT://{NetworkAlias}:19092")
            .WithWaitStrategy(Wait.ForUnixContainer().UntilHttpRequestIsSucceeded(r => r.ForPort(RegistryPort).ForPath("/subjects")))
            .Build();
        var containers = new KafkaContainers(network, kafka, registry);
        try
        {
            await kafka.StartAsync(cancellationToken);
            await registry.StartAsync(cancellationToken);
            return containers;
        }
        catch
        {
            await containers.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _registry.DisposeAsync();
        await _kafka.DisposeAsync();
        await _network.DisposeAsync();
    }
}
