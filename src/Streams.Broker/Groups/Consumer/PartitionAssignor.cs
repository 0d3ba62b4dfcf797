namespace Streams.Broker.Groups.Consumer;

/// <summary>
/// A server-side assignor (KIP-848 <c>group.consumer.assignors</c>): computes each member's target partitions from
/// the members' subscriptions and the subscribed topics' partition counts. Deterministic for the same input.
/// </summary>
internal abstract class PartitionAssignor
{
    /// <summary>The name clients ask for in <c>group.remote.assignor</c>.</summary>
    public abstract string Name { get; }

    /// <param name="members">Member id → the subscribed topics that exist, in member order.</param>
    /// <param name="partitionCounts">Topic → partition count, for every topic any member subscribes to.</param>
    /// <param name="current">The previous target, so an assignor may keep partitions where they are.</param>
    public abstract Dictionary<string, HashSet<TopicPartition>> Assign(
        IReadOnlyDictionary<string, IReadOnlySet<string>> members,
        IReadOnlyDictionary<string, int> partitionCounts,
        IReadOnlyDictionary<string, HashSet<TopicPartition>> current);

    /// <summary>The assignors the broker knows, by name.</summary>
    public static PartitionAssignor? Find(string name) => name.ToLowerInvariant() switch
    {
        UniformAssignor.AssignorName => new UniformAssignor(),
        RangeAssignor.AssignorName => new RangeAssignor(),
        _ => null,
    };
}
