namespace Streams.Contracts.Topics;

/// <summary>A service that reads a topic, and the consumer group it reads in (its offsets are committed there).</summary>
/// <param name="Principal">The service's Kafka principal (<c>User:streams-audit</c>).</param>
/// <param name="Group">The consumer group id, or its prefix when <paramref name="GroupPrefixed"/> is set.</param>
/// <param name="GroupPrefixed">
/// The service makes up group ids that start with <paramref name="Group"/> (a reader that assigns partitions itself
/// but must name a group to build a client), so the grant covers every group id with that prefix.
/// </param>
public sealed record TopicConsumer(string Principal, string Group, bool GroupPrefixed = false);
