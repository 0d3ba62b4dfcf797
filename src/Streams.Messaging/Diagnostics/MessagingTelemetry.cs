using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Streams.Messaging.Diagnostics;

/// <summary>
/// The ActivitySource and Meter every Streams messaging component reports to. Register
/// <see cref="SourceName"/> with OpenTelemetry (<c>AddSource</c>/<c>AddMeter</c>) to export them.
/// Names and attributes follow the OpenTelemetry messaging semantic conventions.
/// </summary>
public static class MessagingTelemetry
{
    /// <summary>The name of the ActivitySource and the Meter.</summary>
    public const string SourceName = "Streams.Messaging";

    /// <summary>Send and process spans.</summary>
    public static readonly ActivitySource ActivitySource = new(SourceName);

    /// <summary>The messaging metrics below.</summary>
    public static readonly Meter Meter = new(SourceName);

    /// <summary><c>messaging.client.sent.messages</c>: messages handed to Kafka, tagged with destination and error type.</summary>
    public static readonly Counter<long> SentMessages = Meter.CreateCounter<long>("messaging.client.sent.messages", "{message}", "Messages a producer attempted to send");

    /// <summary><c>messaging.client.operation.duration</c>: time from send to broker acknowledgement.</summary>
    public static readonly Histogram<double> OperationDuration = Meter.CreateHistogram<double>("messaging.client.operation.duration", "s", "Duration of messaging operations");

    /// <summary><c>messaging.client.consumed.messages</c>: messages delivered to consumer handlers.</summary>
    public static readonly Counter<long> ConsumedMessages = Meter.CreateCounter<long>("messaging.client.consumed.messages", "{message}", "Messages a consumer received");

    /// <summary><c>messaging.process.duration</c>: time a consumer handler took per message.</summary>
    public static readonly Histogram<double> ProcessDuration = Meter.CreateHistogram<double>("messaging.process.duration", "s", "Duration of processing one message");

    private static readonly ConcurrentDictionary<(string Group, string Topic, int Partition), long> Lags = new();

    /// <summary>
    /// <c>messaging.kafka.consumer.lag</c> per group and partition: messages between the group's position and the
    /// partition's high watermark, as last seen by the consumer (no extra requests to the broker).
    /// </summary>
    public static readonly ObservableGauge<long> ConsumerLag = Meter.CreateObservableGauge(
        "messaging.kafka.consumer.lag",
        () => Lags.Select(l => new Measurement<long>(l.Value, new("messaging.consumer.group.name", l.Key.Group), new("messaging.destination.name", l.Key.Topic), new("messaging.destination.partition.id", l.Key.Partition))),
        "{message}",
        "Messages a consumer group has yet to read");

    /// <summary>Sets the lag a consumer saw on one partition (negative counts as 0).</summary>
    public static void RecordLag(string group, string topic, int partition, long lag) => Lags[(group, topic, partition)] = Math.Max(lag, 0);

    /// <summary>Drops a partition the consumer no longer holds, so its last lag is not reported forever.</summary>
    public static void ForgetLag(string group, string topic, int partition) => Lags.TryRemove((group, topic, partition), out _);

    /// <summary>The lags currently known, for status displays.</summary>
    public static IReadOnlyDictionary<(string Group, string Topic, int Partition), long> CurrentLags => Lags;

    /// <summary>The <c>messaging.system</c> attribute's value.</summary>
    public const string System = "kafka";
}
