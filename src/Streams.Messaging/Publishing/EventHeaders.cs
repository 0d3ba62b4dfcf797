namespace Streams.Messaging.Publishing;

/// <summary>Kafka header names every Streams event carries besides the trace context.</summary>
public static class EventHeaders
{
    /// <summary>The event's own id (its <c>eventId</c> field), for de-duplication and tracing without decoding.</summary>
    public const string EventId = "event-id";

    /// <summary>The Avro full name of the event, so tools can tell the types on a multi-type topic apart without decoding.</summary>
    public const string EventType = "event-type";
}
