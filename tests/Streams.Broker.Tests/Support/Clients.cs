using Confluent.Kafka;
using Confluent.Kafka.Admin;

namespace Streams.Broker.Tests.Support;

/// <summary>Real Confluent.Kafka clients configured for a test broker.</summary>
public static class Clients
{
    public static IProducer<TKey, TValue> Producer<TKey, TValue>(string bootstrap, Action<ProducerConfig>? configure = null)
    {
        var config = new ProducerConfig { BootstrapServers = bootstrap, LingerMs = 1, MessageTimeoutMs = 30_000 };
        configure?.Invoke(config);
        return new ProducerBuilder<TKey, TValue>(config).Build();
    }

    public static IConsumer<TKey, TValue> Consumer<TKey, TValue>(string bootstrap, Action<ConsumerConfig>? configure = null)
    {
        var config = new ConsumerConfig
        {
            BootstrapServers = bootstrap,
            GroupId = "test-" + Guid.NewGuid().ToString("N"),
            EnableAutoCommit = false,
            AutoOffsetReset = AutoOffsetReset.Earliest,
        };
        configure?.Invoke(config);
        return new ConsumerBuilder<TKey, TValue>(config).Build();
    }

    public static IAdminClient Admin(string bootstrap) =>
        new AdminClientBuilder(new AdminClientConfig { BootstrapServers = bootstrap }).Build();

    public static async Task CreateTopicAsync(string bootstrap, string topic, int partitions = 1, Dictionary<string, string>? configs = null)
    {
        using var admin = Admin(bootstrap);
        await admin.CreateTopicsAsync([new TopicSpecification { Name = topic, NumPartitions = partitions, ReplicationFactor = 1, Configs = configs }]);
    }

    /// <summary>Reads <paramref name="count"/> messages from the given partitions, starting at the beginning.</summary>
    public static List<ConsumeResult<TKey, TValue>> ReadAll<TKey, TValue>(string bootstrap, string topic, int count, int partitions = 1, TimeSpan? timeout = null)
    {
        using var consumer = Consumer<TKey, TValue>(bootstrap);
        consumer.Assign(Enumerable.Range(0, partitions).Select(p => new TopicPartitionOffset(topic, p, Offset.Beginning)));
        var results = new List<ConsumeResult<TKey, TValue>>();
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (results.Count < count && DateTime.UtcNow < deadline)
        {
            var result = consumer.Consume(TimeSpan.FromMilliseconds(200));
            if (result is { IsPartitionEOF: false })
            {
                results.Add(result);
            }
        }

        consumer.Close();
        return results;
    }
}
