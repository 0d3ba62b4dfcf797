using Confluent.Kafka;

namespace Streams.Registry.Storage;

/// <summary>
/// The configuration of each Kafka client the registry makes (admin, producer, consumer): all start from
/// <see cref="SchemaRegistryOptions.KafkaSettings"/>, so SASL/TLS settings reach every connection to the broker;
/// the registry's own needs (acks, idempotence, bootstrap) are set on top.
/// </summary>
internal static class KafkaClientConfigs
{
    public static AdminClientConfig Admin(SchemaRegistryOptions options) =>
        new(Settings(options)) { BootstrapServers = options.KafkaBootstrapServers };

    public static ProducerConfig Producer(SchemaRegistryOptions options) => new(Settings(options))
    {
        BootstrapServers = options.KafkaBootstrapServers,
        Acks = Acks.All,
        EnableIdempotence = true,
        LingerMs = 0,
        MessageTimeoutMs = (int)options.KafkaTimeout.TotalMilliseconds,
    };

    public static ConsumerConfig Consumer(SchemaRegistryOptions options) => new(Settings(options))
    {
        BootstrapServers = options.KafkaBootstrapServers,
        // The client insists on a group id, but the registry assigns the partition itself and never commits or
        // joins (every start reads everything), so the group never exists on the broker.
        GroupId = $"{options.Topic}-reader-{Guid.NewGuid():N}",
        EnableAutoCommit = false,
        // The broker answers a waiting fetch as soon as a record is appended, so this bounds only idle polling.
        FetchWaitMaxMs = 100,
        FetchErrorBackoffMs = 50,
        IsolationLevel = IsolationLevel.ReadUncommitted,
    };

    private static Dictionary<string, string> Settings(SchemaRegistryOptions options) => new(options.KafkaSettings, StringComparer.Ordinal);
}
