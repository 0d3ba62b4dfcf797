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
}
