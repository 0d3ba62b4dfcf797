using Confluent.Kafka;
using Confluent.SchemaRegistry;

namespace Streams.Worker.Infrastructure;

/// <summary>
/// Where Kafka and the schema registry are, with every client setting (security included): configured ones, or the
/// embedded ones this process started. Each client of the worker builds its own configuration from these.
/// </summary>
public sealed record StreamsEndpoints(ClientConfig Kafka, SchemaRegistryConfig SchemaRegistry, bool Embedded)
{
    public string BootstrapServers => Kafka.BootstrapServers;

    public string SchemaRegistryUrl => SchemaRegistry.Url;

    /// <summary>The Kafka settings as librdkafka properties, a fresh copy for each client to extend.</summary>
    public Dictionary<string, string> KafkaProperties() => Kafka.ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);

    /// <summary>Adds the Kafka settings to a client's own settings (the publisher's and consumers' <c>Kafka</c> dictionaries).</summary>
    public void CopyKafkaSettingsTo(IDictionary<string, string> settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        foreach (var setting in Kafka)
        {
            settings[setting.Key] = setting.Value;
        }
    }
}
