namespace Streams.Contracts.Topics;

/// <summary>One topic of the application: its shape on the cluster and what flows through it.</summary>
/// <param name="Name">Topic name.</param>
/// <param name="Partitions">Partition count; events of one key always land in one partition, so they stay ordered.</param>
/// <param name="Key">What the record key is (every event of one such entity shares a partition).</param>
/// <param name="ValueTypes">The record types written to the topic.</param>
/// <param name="SubjectNaming">How schema-registry subjects are named for the values.</param>
/// <param name="Configs">Topic configs under Kafka's names.</param>
public sealed record TopicDefinition(
    string Name,
    int Partitions,
    string Key,
    IReadOnlyList<Type> ValueTypes,
    SubjectNaming SubjectNaming,
    IReadOnlyDictionary<string, string> Configs);
