using Confluent.Kafka;
using Confluent.SchemaRegistry;
using Microsoft.Extensions.Logging;
using Streams.Worker;
using Streams.Worker.Infrastructure;

namespace Streams.IntegrationTests;

/// <summary>Where the integration tests' Kafka and schema registry come from.</summary>
public enum KafkaMode
{
    /// <summary>A cluster named by <c>STREAMS_TEST_BOOTSTRAP</c> (+ <c>STREAMS_TEST_REGISTRY</c>, else an embedded registry on it).</summary>
    External,

    /// <summary>Apache Kafka and Confluent Schema Registry containers (Testcontainers), when Docker is available.</summary>
    Testcontainers,

    /// <summary>The embedded broker and registry in this process: the default without Docker.</summary>
    Embedded,
}

/// <summary>
/// The one Kafka (and schema registry) every integration test runs on, chosen once per run:
/// <list type="number">
/// <item>an external cluster when <c>STREAMS_TEST_BOOTSTRAP</c> names one;</item>
/// <item>Testcontainers (Kafka + Schema Registry) when Docker is available;</item>
/// <item>the embedded broker and registry otherwise.</item>
/// </list>
/// <c>STREAMS_TEST_KAFKA=external|testcontainers|embedded</c> forces a mode (testcontainers then fails without Docker
/// instead of falling back). The tests share the cluster, so they run one class at a time (<see cref="KafkaCollection"/>)
/// and only assert on the events they published themselves.
/// </summary>
public sealed class KafkaFixture : IAsyncLifetime
{
    public const string BootstrapVariable = "STREAMS_TEST_BOOTSTRAP";
    public const string RegistryVariable = "STREAMS_TEST_REGISTRY";
    public const string ModeVariable = "STREAMS_TEST_KAFKA";

    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), "streams-integration-tests", "kafka-" + Guid.NewGuid().ToString("N"));
    private ILoggerFactory? _loggerFactory;
    private EmbeddedInfrastructure? _embedded;
    private KafkaContainers? _containers;

    public KafkaMode Mode { get; private set; }

    /// <summary>Why this mode was chosen (and, without Docker, why Testcontainers was not).</summary>
    public string Reason { get; private set; } = "";

    public string BootstrapServers { get; private set; } = "";

    public string SchemaRegistryUrl { get; private set; } = "";

    /// <summary>The running containers in <see cref="KafkaMode.Testcontainers"/> mode, else null.</summary>
    public KafkaContainers? Containers => _containers;

    public async Task InitializeAsync()
    {
        var requested = Environment.GetEnvironmentVariable(ModeVariable)?.Trim().ToLowerInvariant();
        var bootstrap = Environment.GetEnvironmentVariable(BootstrapVariable);
        var registry = Environment.GetEnvironmentVariable(RegistryVariable);
        var dockerUnavailable = requested is null or "testcontainers" ? KafkaContainers.DockerUnavailableReason() : null;

        Mode = requested switch
        {
            "external" => KafkaMode.External,
            "testcontainers" => KafkaMode.Testcontainers,
            "embedded" => KafkaMode.Embedded,
            null or "" when !string.IsNullOrWhiteSpace(bootstrap) => KafkaMode.External,
            null or "" => dockerUnavailable is null ? KafkaMode.Testcontainers : KafkaMode.Embedded,
            _ => throw new InvalidOperationException($"{ModeVariable}={requested}: expected external, testcontainers or embedded"),
        };

        switch (Mode)
        {
            case KafkaMode.External:
                if (string.IsNullOrWhiteSpace(bootstrap))
                {
                    throw new InvalidOperationException($"{ModeVariable}=external needs {BootstrapVariable} (and optionally {RegistryVariable})");
                }

                // No registry named: the embedded registry runs on the external cluster (its _schemas topic).
                _loggerFactory = LoggerFactory.Create(WorkerApp.ConfigureLogging);
                _embedded = await EmbeddedInfrastructure.StartAsync(
                    new StreamsOptions
                    {
                        Kafka = new ClientConfig { BootstrapServers = bootstrap },
                        SchemaRegistry = new SchemaRegistryConfig { Url = string.IsNullOrWhiteSpace(registry) ? null : registry },
                        DataDirectory = _dataDirectory,
                        EmbeddedRegistryPort = 0,
                    },
                    _loggerFactory);
                Reason = $"{BootstrapVariable}={bootstrap}";
                break;
            case KafkaMode.Testcontainers:
                if (dockerUnavailable is not null)
                {
                    throw new InvalidOperationException($"{ModeVariable}=testcontainers: {dockerUnavailable}");
                }

                _containers = await KafkaContainers.StartAsync();
                Reason = "Docker is available";
                break;
            default:
                _loggerFactory = LoggerFactory.Create(WorkerApp.ConfigureLogging);
                _embedded = await EmbeddedInfrastructure.StartAsync(
                    new StreamsOptions { DataDirectory = _dataDirectory, EmbeddedKafkaPort = 0, EmbeddedRegistryPort = 0 },
                    _loggerFactory);
                Reason = requested == "embedded" ? $"{ModeVariable}=embedded" : dockerUnavailable ?? "";
                break;
        }

        BootstrapServers = _containers?.BootstrapServers ?? _embedded!.Endpoints.BootstrapServers;
        SchemaRegistryUrl = _containers?.SchemaRegistryUrl ?? _embedded!.Endpoints.SchemaRegistryUrl;
    }

    public async Task DisposeAsync()
    {
        if (_containers is not null)
        {
            await _containers.DisposeAsync();
        }

        if (_embedded is not null)
        {
            await _embedded.DisposeAsync();
        }

        _loggerFactory?.Dispose();
        try
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
        catch (IOException)
        {
        }
    }
}

/// <summary>Every integration test class runs in this collection: one cluster, one class at a time.</summary>
[CollectionDefinition(Name)]
public sealed class KafkaCollection : ICollectionFixture<KafkaFixture>
{
    public const string Name = "Kafka";
}
