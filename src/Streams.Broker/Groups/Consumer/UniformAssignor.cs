namespace Streams.Broker.Groups.Consumer;

/// <summary>
/// Kafka's default server-side assignor: spreads all subscribed partitions evenly over the members and keeps a
/// partition with its current owner when that does not unbalance the group, so a rebalance moves few partitions.
/// With different subscriptions per member the balance is best effort (each partition goes to the least loaded
/// member subscribed to its topic).
/// </summary>
internal sealed class UniformAssignor : PartitionAssignor
{
    public const string AssignorName = "uniform";

    public override string Name => AssignorName;

    public override Dictionary<string, HashSet<TopicPartition>> Assign(
        IReadOnlyDictionary<string, IReadOnlySet<string>> members,
        IReadOnlyDictionary<string, int> partitionCounts,
        IReadOnlyDictionary<string, HashSet<TopicPartition>> current)
    {
        var result = members.Keys.ToDictionary(id => id, _ => new HashSet<TopicPartition>(), StringComparer.Ordinal);
        if (members.Count == 0)
        {
            return result;
        }

        var partitions = partitionCounts.OrderBy(t => t.Key, StringComparer.Ordinal)
            .SelectMany(t => Enumerable.Range(0, t.Value).Select(p => new TopicPartition(t.Key, p)))
            .Where(p => members.Values.Any(s => s.Contains(p.Topic)))
            .ToList();

        // A member keeps what it had up to the smaller fair share of the partitions it could take; the remainder then
        // goes by load, so a member that joins gets partitions and one that stays keeps most of its own.
        var keepLimit = members.ToDictionary(m => m.Key, m =>
        {
            var eligible = partitions.Count(p => m.Value.Contains(p.Topic));
            var sharers = members.Count(o => o.Value.Overlaps(m.Value));
            return eligible / Math.Max(1, sharers);
        }, StringComparer.Ordinal);
        var unassigned = new List<TopicPartition>();
        foreach (var partition in partitions)
        {
            var keeper = current.FirstOrDefault(c => c.Value.Contains(partition)).Key;
            if (keeper is not null && members.TryGetValue(keeper, out var subscribed) && subscribed.Contains(partition.Topic)
                && result[keeper].Count < keepLimit[keeper])
            {
                result[keeper].Add(partition);
            }
            else
            {
                unassigned.Add(partition);
            }
        }

        foreach (var partition in unassigned)
        {
            var target = result.Where(r => members[r.Key].Contains(partition.Topic))
                .OrderBy(r => r.Value.Count).ThenBy(r => r.Key, StringComparer.Ordinal).First();
            target.Value.Add(partition);
        }

        return result;
    }
}
