using Confluent.Kafka;
using Confluent.SchemaRegistry;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Streams.Broker;
using Streams.Broker.Hosting;
using Streams.Registry;
using Streams.Registry.Hosting;

namespace Streams.Worker.Infrastructure;

/// <summary>
/// Where the worker's Kafka and schema registry come from: the configured ones, or the zero-setup default, the
/// embedded broker and registry as services of the same host. Added before the worker's own services, they start
/// before them and stop after them, so the last commits and flushes still reach them.
/// </summary>
public static class StreamsInfrastructure
{
    /// <summary>
    /// Adds the embedded broker when <c>Kafka:BootstrapServers</c> is not configured and the embedded registry when
    /// <c>SchemaRegistry:Url</c> is not, and <see cref="StreamsEndpoints"/>, resolved once both listen.
    /// </summary>
    /// <param name="services">The worker's services.</param>
    /// <param name="configured">The configuration as composed: which of Kafka and the registry are given decides
    /// what runs embedded; the values themselves are read from <see cref="IOptions{StreamsOptions}"/>.</param>
    public static IServiceCollection AddStreamsInfrastructure(this IServiceCollection services, StreamsOptions configured)
    {
        ArgumentNullException.ThrowIfNull(configured);
        var embeddedBroker = string.IsNullOrWhiteSpace(configured.Kafka.BootstrapServers);
        var embeddedRegistry = string.IsNullOrWhiteSpace(configured.SchemaRegistry.Url);
        if (embeddedBroker)
        {
            services.AddKafkaBroker(_ => { });
            services.AddOptions<BrokerOptions>().Configure<IOptions<StreamsOptions>>((broker, streams) =>
            {
                broker.Port = streams.Value.EmbeddedKafkaPort;
                broker.DataDirectory = Path.Combine(streams.Value.DataDirectory, "broker");
            });
        }

        if (embeddedRegistry)
        {
            services.AddSchemaRegistry();
            services.AddOptions<SchemaRegistryOptions>().Configure<IServiceProvider>((registry, sp) =>
            {
                var options = sp.GetRequiredService<IOptions<StreamsOptions>>().Value;
                var kafka = KafkaOf(sp, options, embeddedBroker);
                registry.KafkaBootstrapServers = kafka.BootstrapServers;
                registry.Listen = $"http://127.0.0.1:{options.EmbeddedRegistryPort}";
                foreach (var setting in kafka.Where(s => s.Key != "bootstrap.servers"))
                {
                    registry.KafkaSettings[setting.Key] = setting.Value;
                }
            });
        }

        services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<StreamsOptions>>().Value;
            var registry = new SchemaRegistryConfig();
            foreach (var setting in options.SchemaRegistry)
            {
                registry.Set(setting.Key, setting.Value);
            }

            if (embeddedRegistry)
            {
                registry.Url = sp.GetRequiredService<SchemaRegistryService>().Url;
            }

            return new StreamsEndpoints(KafkaOf(sp, options, embeddedBroker), registry, embeddedBroker)
            {
                ClientIds = new Dictionary<string, string>(options.ClientIds, StringComparer.Ordinal),
            };
        });
        return services;
    }

    /// <summary>The configured Kafka settings, pointed at the embedded broker when it runs (a copy each time).</summary>
    private static ClientConfig KafkaOf(IServiceProvider services, StreamsOptions options, bool embeddedBroker)
    {
        var kafka = new ClientConfig(options.Kafka.ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal));
        if (embeddedBroker)
        {
            kafka.BootstrapServers = services.GetRequiredService<KafkaBrokerService>().BootstrapServers;
        }

        return kafka;
    }
}
