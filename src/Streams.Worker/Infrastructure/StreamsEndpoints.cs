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

    /// <summary>
    /// The one place every Kafka client of the worker gets its settings: the configured ones (security included), as
    /// librdkafka properties in a fresh copy the client may extend, with a <c>client.id</c> naming the client
    /// (<c>streams-worker-audit-projection</c>, or <c>{Kafka:ClientId}-audit-projection</c> when one is configured), so
    /// operators tell the worker's clients apart in group descriptions, broker logs and quotas.
    /// </summary>
    public Dictionary<string, string> ClientSettings(string client)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(client);
        var settings = Kafka.ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
        settings["client.id"] = $"{Kafka.ClientId ?? "streams-worker"}-{client}";
        return settings;
    }
}
