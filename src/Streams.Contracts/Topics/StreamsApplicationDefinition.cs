namespace Streams.Contracts.Topics;

/// <summary>
/// A Streamiz (Kafka Streams) application: besides the catalog topics it reads and writes, it creates, reads, writes
/// and deletes its internal topics (changelogs, repartition topics, all named <c>{application id}-...</c>), commits in
/// the group named by its application id, and describes the cluster with its admin client.
/// </summary>
/// <param name="ApplicationId">The application id: its consumer group, and the prefix of its internal topics.</param>
/// <param name="Principal">The application's Kafka principal.</param>
public sealed record StreamsApplicationDefinition(string ApplicationId, string Principal)
{
    /// <summary>The prefix every internal topic of the application starts with.</summary>
    public string InternalTopicPrefix => ApplicationId + "-";
}
