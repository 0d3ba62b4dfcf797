using Avro.Specific;
using Streams.Contracts.Topics;

namespace Streams.Messaging.Publishing;

/// <summary>Reads the fields every contract shares (event id, occurred-at, the entity key) by their schema names.</summary>
internal static class EventFields
{
    public static string Key(ISpecificRecord @event, TopicDefinition topic) =>
        Get(@event, topic.Key) as string
        ?? throw new ArgumentException($"{@event.Schema.Fullname} has no string field '{topic.Key}', the key of topic {topic.Name}.");

    public static string? EventId(ISpecificRecord @event) => Get(@event, "eventId") as string;

    public static DateTime? OccurredAt(ISpecificRecord @event) => Get(@event, "occurredAt") as DateTime?;

    private static object? Get(ISpecificRecord @event, string field)
    {
        var schema = (Avro.RecordSchema)@event.Schema;
        return schema.TryGetField(field, out var f) ? @event.Get(f.Pos) : null;
    }
}
