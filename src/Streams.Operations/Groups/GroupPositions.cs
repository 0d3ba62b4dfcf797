using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Streams.Operations.Cluster;

namespace Streams.Operations.Groups;

/// <summary>One partition of a group: committed offset, log end offset, lag and the member consuming it.</summary>
/// <param name="Topic">Topic name.</param>
/// <param name="Partition">Partition number.</param>
/// <param name="CommittedOffset">The group's committed offset; null where it has none.</param>
/// <param name="LogEndOffset">The partition's log end offset; null where it could not be read.</param>
/// <param name="Lag">Log end minus committed (never negative); null where either is unknown.</param>
/// <param name="ConsumerId">The member assigned the partition, if any.</param>
/// <param name="Host">That member's host.</param>
/// <param name="ClientId">That member's client id.</param>
public sealed record GroupPartition(string Topic, int Partition, long? CommittedOffset, long? LogEndOffset, long? Lag, string? ConsumerId, string? Host, string? ClientId);

/// <summary>A group's state, members and per-partition positions, as <c>streams groups describe</c> shows them.</summary>
/// <param name="Group">Group id.</param>
/// <param name="Description">State, assignor and members.</param>
/// <param name="Partitions">Every partition the group has a commit on or a member assigned, by topic then partition.</param>
public sealed record GroupPositions(string Group, ConsumerGroupDescription Description, IReadOnlyList<GroupPartition> Partitions)
{
    /// <summary>False for a group the cluster does not know (dead, and no commit anywhere).</summary>
    public bool Exists => Description.State != ConsumerGroupState.Dead || Partitions.Any(p => p.CommittedOffset is not null);

    /// <summary>The sum of every partition's lag.</summary>
    public long TotalLag => Partitions.Sum(p => p.Lag ?? 0);

    /// <summary>
    /// Reads the group's description, its commits and the log end of every partition they name: the high watermark
    /// by default, the last stable offset with <see cref="IsolationLevel.ReadCommitted"/> (for transactional readers).
    /// </summary>
    public static async Task<GroupPositions> ReadAsync(IAdminClient admin, string group, IsolationLevel isolation = IsolationLevel.ReadUncommitted)
    {
        var description = await ClusterQueries.DescribeGroupAsync(admin, group).ConfigureAwait(false);
        var committed = await ClusterQueries.CommittedAsync(admin, group).ConfigureAwait(false);
        var owners = description.Members
            .SelectMany(m => m.Assignment.TopicPartitions.Select(p => (Partition: p, Member: m)))
            .ToDictionary(x => x.Partition, x => x.Member);
        var partitions = committed.Keys.Union(owners.Keys)
            .OrderBy(p => p.Topic, StringComparer.Ordinal).ThenBy(p => p.Partition.Value).ToList();
        var logEnd = await ClusterQueries.OffsetsAsync(admin, partitions, OffsetSpec.Latest(), isolation).ConfigureAwait(false);
        var rows = partitions.Select(p =>
        {
            long? current = committed.TryGetValue(p, out var c) ? c : null;
            long? end = logEnd.TryGetValue(p, out var e) && e >= 0 ? e : null;
            var owner = owners.GetValueOrDefault(p);
            return new GroupPartition(p.Topic, p.Partition.Value, current, end, current is { } cur && end is { } le ? Math.Max(0, le - cur) : null,
                owner?.ConsumerId, owner?.Host, owner?.ClientId);
        }).ToList();
        return new GroupPositions(group, description, rows);
    }
}
