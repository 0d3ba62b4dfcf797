using System.Collections.Concurrent;

namespace Streams.Worker.Health;

/// <summary>What readiness is made of: the topology application's state and whether each consumer group has partitions.</summary>
public sealed class WorkerHealth
{
    private readonly ConcurrentDictionary<string, bool> _groupsAssigned = new(StringComparer.Ordinal);

    public string TopologyState { get; set; } = "CREATED";

    public void SetAssigned(string groupId, bool assigned) => _groupsAssigned[groupId] = assigned;

    public IReadOnlyDictionary<string, bool> GroupsAssigned => _groupsAssigned;
}
