using Confluent.Kafka;
using Streams.Broker.Tests.Support;

namespace Streams.Broker.Tests.Groups;

internal static class GroupTopics
{
    /// <summary>Produces values "{prefix}-{i}" round-robin over the partitions and waits for every ack.</summary>
    public static async Task<List<string>> ProduceAsync(string bootstrap, string topic, int partitions, int count, string prefix = "m")
    {
        using var producer = Clients.Producer<string, string>(bootstrap);
        var values = Enumerable.Range(0, count).Select(i => $"{prefix}-{i}").ToList();
        await Task.WhenAll(values.Select((value, i) =>
            producer.ProduceAsync(new TopicPartition(topic, i % partitions), new Message<string, string> { Key = value, Value = value })));
        return values;
    }

    /// <summary>
    /// Commits offset 0 for every partition of an empty topic before the group's consumers start, so none of them
    /// resets its position with ListOffsets. librdkafka 2.x has a race there (seen in its debug log): a ListOffsets
    /// answer that arrives after a rebalance took the partition away (it waits behind the connection's long-polling
    /// Fetch, as it would on Kafka) restarts an offset-query timer, and when the timer fires after the partition came
    /// back at its committed offset, the consumer resets to the beginning and reads again what others consumed.
    /// Tests that count duplicates start from committed offsets, as a long-running group does.
    /// </summary>
    public static async Task CommitStartAsync(string bootstrap, string groupId, string topic, int partitions)
    {
        using var admin = Clients.Admin(bootstrap);
        await admin.AlterConsumerGroupOffsetsAsync([new ConsumerGroupTopicPartitionOffsets(groupId,
            [.. Enumerable.Range(0, partitions).Select(p => new TopicPartitionOffset(topic, p, 0))])]);
    }
}
