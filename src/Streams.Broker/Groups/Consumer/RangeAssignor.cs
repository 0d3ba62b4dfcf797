namespace Streams.Broker.Groups.Consumer;

/// <summary>
/// Kafka's server-side range assignor: per topic, the members subscribed to it (ordered by member id) get
/// contiguous ranges of partitions, the first ones one extra when the count does not divide. Members subscribed to
/// co-partitioned topics get the same partition numbers of each, which joins rely on.
/// </summary>
internal sealed class RangeAssignor : PartitionAssignor
{
    public const string AssignorName = "range";

    public override string Name => AssignorName;

    public override Dictionary<string, HashSet<TopicPartition>> Assign(
        IReadOnlyDictionary<string, IReadOnlySet<string>> members,
        IReadOnlyDictionary<string, int> partitionCounts,
        IReadOnlyDictionary<string, HashSet<TopicPartition>> current)
    {
        var result = members.Keys.ToDictionary(id => id, _ => new HashSet<TopicPartition>(), StringComparer.Ordinal);
        foreach (var (topic, count) in partitionCounts.OrderBy(t => t.Key, StringComparer.Ordinal))
        {
            var subscribers = members.Where(m => m.Value.Contains(topic)).Select(m => m.Key).Order(StringComparer.Ordinal).ToList();
            if (subscribers.Count == 0)
            {
                continue;
            }

            var share = count / subscribers.Count;
            var extra = count % subscribers.Count;
            var next = 0;
            for (var i = 0; i < subscribers.Count; i++)
            {
                var size = share + (i < extra ? 1 : 0);
                for (var p = next; p < next + size; p++)
                {
                    result[subscribers[i]].Add(new TopicPartition(topic, p));
                }

                next += size;
            }
        }

        return result;
    }
}
