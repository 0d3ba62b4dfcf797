namespace Streams.Contracts.Topics;

/// <summary>
/// One topic of the application: its shape on the cluster, what flows through it, and which services write and read
/// it (the ACLs a secured cluster needs are derived from that, see <c>Streams.Operations.Acls.CatalogAcls</c>).
/// </summary>
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
    IReadOnlyDictionary<string, string> Configs)
{
    /// <summary>The principals that write to the topic (all of them with idempotent producers).</summary>
    public IReadOnlyList<string> Producers { get; init; } = [];

    /// <summary>The services that read the topic, each with its consumer group.</summary>
    public IReadOnlyList<TopicConsumer> Consumers { get; init; } = [];

    /// <summary>
    /// The principal that creates the topic and checks its configs itself, when a service does (the registry creates
    /// <c>_schemas</c>); null when an operator creates it (<c>streams topics apply</c>, or the worker's provisioning).
    /// </summary>
    public string? Owner { get; init; }
}
