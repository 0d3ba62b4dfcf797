using Confluent.Kafka;

namespace Streams.KafkaConsole.Sampling;

/// <summary>One topic at one sample.</summary>
/// <param name="Name">Topic name.</param>
/// <param name="Partitions">Partition count.</param>
/// <param name="StartOffsets">Sum of the partitions' earliest offsets.</param>
/// <param name="EndOffsets">Sum of the partitions' log end offsets.</param>
/// <param name="Retention">retention.ms as a person reads it.</param>
/// <param name="CleanupPolicy">cleanup.policy.</param>
/// <param name="Rate">Records per second written over the recent samples (end offsets over time).</param>
public sealed record TopicSample(string Name, int Partitions, long StartOffsets, long EndOffsets, string Retention, string CleanupPolicy, IReadOnlyList<double> Rate)
{
    /// <summary>Records in the log (end minus start; a compacted topic holds fewer).</summary>
    public long Messages => EndOffsets - StartOffsets;

    /// <summary>Bytes on disk (DescribeLogDirs, the largest replica of each partition); null where unknown.</summary>
    public long? Size { get; init; }
}

/// <summary>One consumer group at one sample.</summary>
/// <param name="Id">Group id.</param>
/// <param name="State">Group state.</param>
/// <param name="Members">Member count.</param>
/// <param name="TotalLag">Sum of the partitions' lag.</param>
/// <param name="Lag">Total lag over the recent samples.</param>
public sealed record GroupSample(string Id, string State, int Members, long TotalLag, IReadOnlyList<double> Lag);

/// <summary>What the console knows of the cluster at one sample.</summary>
/// <param name="Time">When it was read.</param>
/// <param name="Brokers">The brokers in the metadata.</param>
/// <param name="Topics">Topics by name.</param>
/// <param name="Groups">Consumer groups by id.</param>
public sealed record ClusterSnapshot(DateTimeOffset Time, IReadOnlyList<BrokerMetadata> Brokers, IReadOnlyList<TopicSample> Topics, IReadOnlyList<GroupSample> Groups)
{
    /// <summary>The embedded broker's metrics when it runs in the console's process (the worker's); null otherwise.</summary>
    public BrokerActivity? BrokerActivity { get; init; }
}
