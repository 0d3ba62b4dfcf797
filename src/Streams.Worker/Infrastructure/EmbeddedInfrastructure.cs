using Microsoft.Extensions.Logging;
using Streams.Broker;
using Streams.Registry;

namespace Streams.Worker.Infrastructure;

/// <summary>
/// The zero-setup default: the embedded broker and schema registry in this process, started before the host and
/// stopped after it, so the worker's last commits and flushes still reach them.
/// </summary>
public sealed class EmbeddedInfrastructure : IAsyncDisposable
{
    private readonly KafkaBroker? _broker;
    private readonly SchemaRegistryHost? _registry;

    private EmbeddedInfrastructure(KafkaBroker? broker, SchemaRegistryHost? registry, StreamsEndpoints endpoints)
    {
        _broker = broker;
        _registry = registry;
        Endpoints = endpoints;
    }

    public StreamsEndpoints Endpoints { get; }

    public static async Task<EmbeddedInfrastructure> StartAsync(StreamsOptions options, ILoggerFactory loggerFactory, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        KafkaBroker? broker = null;
        SchemaRegistryHost? registry = null;
        var bootstrap = options.BootstrapServers;
        if (bootstrap is null)
        {
            broker = await KafkaBroker.StartAsync(
                new BrokerOptions { Port = options.EmbeddedKafkaPort, DataDirectory = Path.Combine(options.DataDirectory, "broker") },
                loggerFactory).ConfigureAwait(false);
            bootstrap = broker.BootstrapServers;
        }

        var registryUrl = options.SchemaRegistryUrl;
        if (registryUrl is null)
        {
            registry = await SchemaRegistryHost.StartAsync(
                new SchemaRegistryOptions { KafkaBootstrapServers = bootstrap, Listen = $"http://127.0.0.1:{options.EmbeddedRegistryPort}" },
                loggerFactory,
                cancellationToken).ConfigureAwait(false);
            registryUrl = registry.Url;
        }

        return new EmbeddedInfrastructure(broker, registry, new StreamsEndpoints(bootstrap, registryUrl, broker is not null));
    }

    public async ValueTask DisposeAsync()
    {
        if (_registry is not null)
        {
            await _registry.DisposeAsync().ConfigureAwait(false);
        }

        if (_broker is not null)
        {
            await _broker.DisposeAsync().ConfigureAwait(false);
        }
    }
}
