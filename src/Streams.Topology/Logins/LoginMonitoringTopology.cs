using Confluent.SchemaRegistry;
using Streamiz.Kafka.Net;
using Streamiz.Kafka.Net.SerDes;
using Streamiz.Kafka.Net.State;
using Streamiz.Kafka.Net.Stream;
using Streamiz.Kafka.Net.Table;
using Streams.Contracts.Logins;
using Streams.Contracts.Topics;
using Streams.Messaging.Events;
using Streams.Topology.Events;
using Streams.Topology.Serdes;
using Streams.Topology.Sinks;
using Streams.Topology.Tracing;

namespace Streams.Topology.Logins;

/// <summary>
/// Failed logins counted per employee in tumbling windows (event time); the record that makes a window's count
/// reach the threshold raises one security alert for that window (later failures in it add no new alert).
/// </summary>
public static class LoginMonitoringTopology
{
    public const string StoreName = "failed-logins-store";

    public static void Build(StreamBuilder builder, ISchemaRegistryClient registry, LoginMonitoringOptions options, string applicationId = "streams-topology")
    {
        var keys = new StringSerDes();
        var logins = new AvroSerDes<EmployeeLoggedIn>(registry, TopicCatalog.Logins.SubjectNaming);
        var alerts = new AvroSerDes<SecurityAlert>(registry, TopicCatalog.SecurityAlerts.SubjectNaming);

        builder.Stream(TopicCatalog.Logins.Name, keys, logins, "logins")
            .Traced(TopicCatalog.Logins.Name, applicationId)
            .Filter((_, login, _) => login.outcome == LoginOutcome.Failed, "failed-logins")
            .GroupByKey("failures-by-employee")
            .WindowedBy(TumblingWindowOptions.Of(options.Window))
            .Count(InMemoryWindows.As<string, long>(StoreName, options.Window).WithKeySerdes(keys).WithValueSerdes(new Int64SerDes()).WithCachingDisabled(), "failures-per-window")
            .ToStream("failure-counts")
            .Filter((_, count, _) => count == options.FailureThreshold, "threshold-reached")
            .Map((window, count, context) => KeyValuePair.Create(window.Key, Alert(window, count, context)), "security-alert")
            .WithEventHeaders("/" + applicationId, "security-alert-headers")
            .ToTopic(TopicCatalog.SecurityAlerts.Name, keys, alerts, "security-alerts-sink");
    }

    // The alert is named after the failure that crossed the threshold, so reprocessing it raises the same alert.
    private static SecurityAlert Alert(Windowed<string> window, long count, Streamiz.Kafka.Net.Processors.IRecordContext context) => new()
    {
        eventId = EventIds.Derived(DerivedEvents.InputEventId(context), SecurityAlert._SCHEMA.Fullname),
        occurredAt = DateTimeOffset.FromUnixTimeMilliseconds(context.Timestamp).UtcDateTime,
        employeeId = window.Key,
        failedAttempts = (int)count,
        windowStart = DateTimeOffset.FromUnixTimeMilliseconds(window.Window.StartMs).UtcDateTime,
        windowEnd = DateTimeOffset.FromUnixTimeMilliseconds(window.Window.EndMs).UtcDateTime,
        reason = $"{count} failed logins within {TimeSpan.FromMilliseconds(window.Window.EndMs - window.Window.StartMs)}",
    };
}
