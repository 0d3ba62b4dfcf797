using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Streams.Worker.Consumers;

namespace Streams.Worker.Observability;

/// <summary>Every few seconds, one line saying what the system did: events published, events in the audit trail.</summary>
public sealed partial class StatusReporter(WorkerCounters counters, AuditProjection audit, ILogger<StatusReporter> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(5));
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                LogStatus(logger, counters.PublishedCount, audit.Count());
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Published {Published} events so far; audit trail holds {Audited} events")]
    private static partial void LogStatus(ILogger logger, long published, long audited);
}
