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
    public const string SourceName = "Streams.Messaging";

    public static readonly ActivitySource ActivitySource = new(SourceName);

    public static readonly Meter Meter = new(SourceName);

    /// <summary><c>messaging.client.sent.messages</c>: messages handed to Kafka, tagged with destination and error type.</summary>
    public static readonly Counter<long> SentMessages = Meter.CreateCounter<long>("messaging.client.sent.messages", "{message}", "Messages a producer attempted to send");

    /// <summary><c>messaging.client.operation.duration</c>: time from send to broker acknowledgement.</summary>
    public static readonly Histogram<double> OperationDuration = Meter.CreateHistogram<double>("messaging.client.operation.duration", "s", "Duration of messaging operations");

    /// <summary><c>messaging.client.consumed.messages</c>: messages delivered to consumer handlers.</summary>
    public static readonly Counter<long> ConsumedMessages = Meter.CreateCounter<long>("messaging.client.consumed.messages", "{message}", "Messages a consumer received");

    public const string System = "kafka";
}
