namespace Streams.Messaging.Events;

/// <summary>
/// Kafka header names of the CloudEvents Kafka protocol binding, binary content mode: the Avro record is the Kafka
/// value as-is, every CloudEvents attribute is a <c>ce_</c> header (UTF-8), and the data's media type is
/// <c>content-type</c>. Any CloudEvents SDK, Knative or Dapr reads Streams' events with no Streams code.
/// </summary>
public static class CloudEventHeaders
{
    /// <summary>The CloudEvents version: always <see cref="SpecVersionValue"/>.</summary>
    public const string SpecVersion = "ce_specversion";

    /// <summary>The event's id: equal to the body's <c>eventId</c> for every contract that has one.</summary>
    public const string Id = "ce_id";

    /// <summary>The event's type: the Avro full name of its schema (for example <c>Streams.Contracts.Carts.OrderPlaced</c>).</summary>
    public const string Type = "ce_type";

    /// <summary>Who produced it: a URI reference naming the application (<c>/streams-worker</c>, <c>/streams-topology</c>).</summary>
    public const string Source = "ce_source";

    /// <summary>When it happened (RFC 3339, UTC): the body's <c>occurredAt</c>.</summary>
    public const string Time = "ce_time";

    /// <summary>The media type of the value (the binding maps CloudEvents' <c>datacontenttype</c> to this header, without prefix).</summary>
    public const string ContentType = "content-type";

    /// <summary>
    /// Extension attribute: the id of the event that caused this one (a derived event's input). Absent on events an
    /// application publishes on its own initiative. Extension names are lower-case alphanumerics, hence no separator.
    /// </summary>
    public const string CausationId = "ce_causationid";

    /// <summary>Extension attribute: the id of the first event of the chain (an event without a cause is its own correlation).</summary>
    public const string CorrelationId = "ce_correlationid";

    /// <summary>The only CloudEvents version written.</summary>
    public const string SpecVersionValue = "1.0";

    /// <summary>
    /// The value's media type. The value is an Avro binary record in the schema registry's framing (a zero byte and
    /// the 4-byte schema id first); <c>application/avro</c> is the name Avro tooling and the CloudEvents Avro format
    /// use for Avro data (the structured-mode type <c>application/cloudevents+avro</c> would claim the whole event is
    /// in the value, which it is not).
    /// </summary>
    public const string AvroContentType = "application/avro";
}
