using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Streams.Consumers;

namespace Streams.Worker.Observability;

/// <summary>Every few seconds, one line saying what the system did: events published per topic, orders, alerts, audit rows, consumer lag.</summary>
public sealed partial class StatusReporter(WorkerCounters counters, AuditProjection audit, Notifier notifier, ILogger<StatusReporter> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(5));
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                var published = string.Join(", ", counters.PublishedByTopic.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key} {p.Value}"));
                var lag = string.Join(", ", Messaging.Diagnostics.MessagingTelemetry.CurrentLags
                    .GroupBy(l => l.Key.Group)
                    .OrderBy(g => g.Key, StringComparer.Ordinal)
                    .Select(g => $"{g.Key} {g.Sum(l => l.Value)}"));
                LogStatus(logger, counters.PublishedCount, published, notifier.Orders, notifier.Alerts, audit.Count(), lag.Length == 0 ? "-" : lag);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Published {Published} events ({ByTopic}) | orders {Orders} | alerts {Alerts} | audit trail {Audited} | lag {Lag}")]
    private static partial void LogStatus(ILogger logger, long published, string byTopic, long orders, long alerts, long audited, string lag);
}
