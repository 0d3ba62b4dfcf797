namespace Streams.Contracts.Topics;

/// <summary>
/// How a topic's value schemas are named in the schema registry. The same two choices as Confluent's subject name
/// strategies of those names; the contracts only state the choice, the serializers (Streams.Messaging) apply it, so
/// the contracts need no registry client.
/// </summary>
public enum SubjectNaming
{
    /// <summary>One subject per topic, <c>{topic}-value</c>: the topic carries one record type.</summary>
    Topic,

    /// <summary>One subject per record type on the topic, <c>{topic}-{record full name}</c>: the topic carries several record types.</summary>
    TopicRecord,
}
