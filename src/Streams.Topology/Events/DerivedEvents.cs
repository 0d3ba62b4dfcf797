using System.Globalization;
using Avro.Specific;
using Confluent.Kafka;
using Streamiz.Kafka.Net.Processors;
using Streamiz.Kafka.Net.Stream;
using Streams.Messaging.Events;

namespace Streams.Topology.Events;

/// <summary>
/// The headers of what a topology writes. Streamiz hands every output the headers of the input it came from, so
/// without this an order would carry the checkout's id and type. Each sink is preceded by
/// <see cref="WithEventHeaders{K,V}"/>, which replaces them by the output's own: its CloudEvents attributes (id, type,
/// source, time, content type), the input as causation, the input's chain as correlation, and the trace context of
/// the span that processed the input. Nothing else of the input is carried over.
/// </summary>
public static class DerivedEvents
{
    // The trace context is the producing span's (TopologyTracing put it there); everything else is the input's business.
    private static readonly string[] CarriedHeaders = ["traceparent", "tracestate", "baggage"];

    /// <summary>
    /// Sets the output headers of every record of <paramref name="stream"/>. <paramref name="causeId"/> names the input
    /// event when the value knows it better than the headers do (two sinks fed by one input share its headers, and the
    /// first sink's step has already replaced them); by default the input's <c>ce_id</c> (or old <c>event-id</c>) is
    /// the cause, and without any, the input's position in the log.
    /// </summary>
    public static IKStream<K, V> WithEventHeaders<K, V>(this IKStream<K, V> stream, string source, string name, Func<V, string?>? causeId = null)
        where V : ISpecificRecord =>
        stream.MapValues((value, context) =>
        {
            context.SetHeaders(OutputHeaders(value, context, source, causeId?.Invoke(value)));
            return value;
        }, name);

    /// <summary>The id of the input event being processed: its <c>ce_id</c> (or old <c>event-id</c>), else its position in the log.</summary>
    public static string InputEventId(IRecordContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return EventMetadata.ReadFrom(context.Headers)?.Id ?? Position(context);
    }

    internal static Headers OutputHeaders<V>(V value, IRecordContext context, string source, string? causeId)
        where V : ISpecificRecord
    {
        var input = EventMetadata.ReadFrom(context.Headers);
        var cause = causeId ?? input?.Id ?? Position(context);
        // Sibling sinks see each other's replaced headers, but every one of them keeps the input's correlation.
        var correlation = input?.CorrelationId ?? cause;
        var type = value.Schema.Fullname;
        var id = Field(value, "eventId") as string ?? EventIds.Derived(cause, type);
        var time = Field(value, "occurredAt") as DateTime? ?? Field(value, "updatedAt") as DateTime?
            ?? DateTimeOffset.FromUnixTimeMilliseconds(context.Timestamp).UtcDateTime;

        var headers = new Headers();
        foreach (var name in CarriedHeaders)
        {
            if (context.Headers?.TryGetLastBytes(name, out var bytes) == true)
            {
                headers.Add(name, bytes);
            }
        }

        new EventMetadata(id, type, source, time, cause, correlation).WriteTo(headers);
        return headers;
    }

    private static string Position(IRecordContext context) =>
        string.Create(CultureInfo.InvariantCulture, $"{context.Topic}/{context.Partition}/{context.Offset}");

    private static object? Field(ISpecificRecord record, string field) =>
        ((Avro.RecordSchema)record.Schema).TryGetField(field, out var f) ? record.Get(f.Pos) : null;
}
