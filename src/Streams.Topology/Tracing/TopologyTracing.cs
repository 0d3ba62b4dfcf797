using System.Diagnostics;
using System.Globalization;
using Streamiz.Kafka.Net.Stream;
using Streams.Messaging.Diagnostics;

namespace Streams.Topology.Tracing;

/// <summary>
/// Streamiz creates no spans of its own. Each input stream gets a <c>process {topic}</c> span that continues the
/// producer's trace, and the record's <c>traceparent</c> is replaced by that span's, so everything the topology
/// derives from the record continues the same trace one level down (<see cref="Events.DerivedEvents"/> carries the
/// trace context, and only it, to the outputs).
/// </summary>
public static class TopologyTracing
{
    public static IKStream<K, V> Traced<K, V>(this IKStream<K, V> stream, string topic, string applicationId) =>
        stream.Peek((key, _, context) =>
        {
            var parent = TraceHeaders.Extract(context.Headers);
            using var activity = MessagingTelemetry.ActivitySource.StartActivity($"process {topic}", ActivityKind.Consumer, parent);
            if (activity is null)
            {
                return;
            }

            activity.SetTag("messaging.system", MessagingTelemetry.System);
            activity.SetTag("messaging.operation.type", "process");
            activity.SetTag("messaging.operation.name", "process");
            activity.SetTag("messaging.destination.name", topic);
            activity.SetTag("messaging.consumer.group.name", applicationId);
            activity.SetTag("messaging.destination.partition.id", context.Partition.ToString(CultureInfo.InvariantCulture));
            activity.SetTag("messaging.kafka.offset", context.Offset);
            activity.SetTag("messaging.kafka.message.key", key?.ToString());
            TraceHeaders.Inject(activity, context.Headers);
        }, $"trace-{topic}");
}
