using System.Globalization;
using System.Text;
using Confluent.Kafka;
using Streams.Messaging.Publishing;

namespace Streams.Messaging.Events;

/// <summary>
/// What an event says about itself in its headers (<see cref="CloudEventHeaders"/>): id, type, source, time, what
/// caused it and which chain it belongs to. The trace context travels beside it (<c>traceparent</c>, <c>tracestate</c>).
/// </summary>
/// <param name="Id">The event's id (the body's <c>eventId</c>).</param>
/// <param name="Type">The Avro full name of its schema.</param>
/// <param name="Source">A URI reference naming the producing application.</param>
/// <param name="Time">When it happened, UTC.</param>
/// <param name="CausationId">The id of the event it was derived from; null for an event without a cause.</param>
/// <param name="CorrelationId">The id of the first event of its chain; its own id when it has no cause.</param>
public sealed record EventMetadata(string Id, string Type, string Source, DateTime? Time, string? CausationId, string CorrelationId)
{
    /// <summary>Metadata of an event published on an application's own initiative: it starts its own chain.</summary>
    public static EventMetadata Original(string id, string type, string source, DateTime? time) =>
        new(id, type, source, time, null, id);

    /// <summary>
    /// Metadata of an event derived from <paramref name="cause"/>: caused by it, in its chain, with the id given
    /// (<see cref="EventIds.Derived(string, string)"/> when the output's body has no id of its own yet).
    /// </summary>
    public static EventMetadata DerivedFrom(EventMetadata cause, string id, string type, string source, DateTime? time)
    {
        ArgumentNullException.ThrowIfNull(cause);
        return new(id, type, source, time, cause.Id, cause.CorrelationId);
    }

    /// <summary>
    /// Replaces any CloudEvents attributes (and the old <c>event-id</c>/<c>event-type</c> headers, which are no longer
    /// written) in <paramref name="headers"/> with these. Other headers, the trace context among them, stay.
    /// </summary>
    public void WriteTo(Headers headers)
    {
        ArgumentNullException.ThrowIfNull(headers);
        headers.Remove(EventHeaders.EventId);
        headers.Remove(EventHeaders.EventType);
        Set(headers, CloudEventHeaders.SpecVersion, CloudEventHeaders.SpecVersionValue);
        Set(headers, CloudEventHeaders.Id, Id);
        Set(headers, CloudEventHeaders.Type, Type);
        Set(headers, CloudEventHeaders.Source, Source);
        Set(headers, CloudEventHeaders.Time, Time is { } time ? FormatTime(time) : null);
        Set(headers, CloudEventHeaders.ContentType, CloudEventHeaders.AvroContentType);
        Set(headers, CloudEventHeaders.CausationId, CausationId);
        Set(headers, CloudEventHeaders.CorrelationId, CorrelationId);
    }

    /// <summary>
    /// The metadata in <paramref name="headers"/>, or null when the record names no event id. Records written before
    /// the CloudEvents headers carry only <c>event-id</c> and <c>event-type</c>: they read as events without a cause.
    /// </summary>
    public static EventMetadata? ReadFrom(Headers? headers)
    {
        if (headers is null)
        {
            return null;
        }

        var id = Get(headers, CloudEventHeaders.Id) ?? Get(headers, EventHeaders.EventId);
        if (id is null)
        {
            return null;
        }

        var time = Get(headers, CloudEventHeaders.Time) is { } text
            && DateTime.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var parsed)
            ? parsed
            : (DateTime?)null;
        return new EventMetadata(
            id,
            Get(headers, CloudEventHeaders.Type) ?? Get(headers, EventHeaders.EventType) ?? string.Empty,
            Get(headers, CloudEventHeaders.Source) ?? string.Empty,
            time,
            Get(headers, CloudEventHeaders.CausationId),
            Get(headers, CloudEventHeaders.CorrelationId) ?? id);
    }

    /// <summary>RFC 3339 in UTC with milliseconds, as CloudEvents' <c>time</c> wants it.</summary>
    public static string FormatTime(DateTime time) =>
        time.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    private static void Set(Headers headers, string name, string? value)
    {
        headers.Remove(name);
        if (value is not null)
        {
            headers.Add(name, Encoding.UTF8.GetBytes(value));
        }
    }

    private static string? Get(Headers headers, string name) =>
        headers.TryGetLastBytes(name, out var bytes) && bytes is not null ? Encoding.UTF8.GetString(bytes) : null;
}
