using System.Diagnostics;
using System.Text;
using Confluent.Kafka;

namespace Streams.Messaging.Diagnostics;

/// <summary>
/// W3C trace context (<c>traceparent</c>, <c>tracestate</c>, <c>baggage</c>) in Kafka headers, through .NET's own
/// <see cref="DistributedContextPropagator"/>, so one trace follows an event from producer to every consumer.
/// </summary>
public static class TraceHeaders
{
    /// <summary>Writes <paramref name="activity"/>'s trace context into <paramref name="headers"/> (nothing when null).</summary>
    public static void Inject(Activity? activity, Headers headers)
    {
        ArgumentNullException.ThrowIfNull(headers);
        if (activity is null)
        {
            return;
        }

        DistributedContextPropagator.Current.Inject(activity, headers, static (carrier, name, value) =>
        {
            var target = (Headers)carrier!;
            target.Remove(name);
            target.Add(name, Encoding.UTF8.GetBytes(value));
        });
    }

    /// <summary>The parent context carried by <paramref name="headers"/>, or default when there is none.</summary>
    public static ActivityContext Extract(Headers? headers)
    {
        if (headers is null)
        {
            return default;
        }

        DistributedContextPropagator.Current.ExtractTraceIdAndState(headers, static (object? carrier, string name, out string? value, out IEnumerable<string>? values) =>
        {
            values = null;
            value = ((Headers)carrier!).TryGetLastBytes(name, out var bytes) ? Encoding.UTF8.GetString(bytes) : null;
        }, out var traceParent, out var traceState);
        return ActivityContext.TryParse(traceParent, traceState, isRemote: true, out var context) ? context : default;
    }
}
