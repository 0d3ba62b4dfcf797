using Confluent.Kafka;
using Confluent.SchemaRegistry;
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
        var kafka = new ClientConfig(options.Kafka.ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal));
        if (string.IsNullOrWhiteSpace(kafka.BootstrapServers))
        {
            broker = await KafkaBroker.StartAsync(
                new BrokerOptions { Port = options.EmbeddedKafkaPort, DataDirectory = Path.Combine(options.DataDirectory, "broker") },
                loggerFactory).ConfigureAwait(false);
            kafka.BootstrapServers = broker.BootstrapServers;
        }

        var registryConfig = new SchemaRegistryConfig();
        foreach (var setting in options.SchemaRegistry)
        {
            registryConfig.Set(setting.Key, setting.Value);
        }

        if (string.IsNullOrWhiteSpace(registryConfig.Url))
        {
            var registryOptions = new SchemaRegistryOptions { KafkaBootstrapServers = kafka.BootstrapServers, Listen = $"http://127.0.0.1:{options.EmbeddedRegistryPort}" };
            foreach (var setting in kafka.Where(s => s.Key != "bootstrap.servers"))
            {
                registryOptions.KafkaSettings[setting.Key] = setting.Value;
            }

            registry = await SchemaRegistryHost.StartAsync(registryOptions, loggerFactory, cancellationToken).ConfigureAwait(false);
            registryConfig.Url = registry.Url;
        }

        return new EmbeddedInfrastructure(broker, registry, new StreamsEndpoints(kafka, registryConfig, broker is not null));
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
