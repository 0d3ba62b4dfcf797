namespace Streams.Messaging.Publishing;

/// <summary>
/// The headers Streams wrote before it followed the CloudEvents Kafka binding (<see cref="Events.CloudEventHeaders"/>).
/// They are no longer written; <see cref="Events.EventMetadata.ReadFrom"/> still reads them, so records already in
/// the log keep their id and type.
/// </summary>
public static class EventHeaders
{
    /// <summary>The event's own id (now <c>ce_id</c>).</summary>
    public const string EventId = "event-id";

    /// <summary>The Avro full name of the event (now <c>ce_type</c>).</summary>
    public const string EventType = "event-type";
}
