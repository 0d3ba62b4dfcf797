using System.Globalization;
using Microsoft.Extensions.Logging;
using Streams.Broker.Storage.Cleaner;

namespace Streams.Broker.Storage;

/// <summary>The log manager's side of compaction: one cleaner thread over every compacted log, filthiest first.</summary>
internal sealed partial class LogManager
{
    /// <summary>The running cleaner (null when <c>log.cleaner.enable=false</c> or not started); its <see cref="LogCleaner.LastRuns"/> are per-log figures.</summary>
    internal LogCleaner? Cleaner { get; private set; }

    private Task StartCleaner(CancellationToken cancellationToken)
    {
        if (!Broker.LogCleanerEnable)
        {
            return Task.CompletedTask;
        }

        var cleaner = Cleaner = new LogCleaner(Broker.LogCleanerDedupeBufferSize, Broker.LogCleanerIoMaxBytesPerSecond, _loggerFactory.CreateLogger<LogCleaner>(), _time);
        return Task.Run(() => RunCleanerAsync(cleaner, cancellationToken), CancellationToken.None);
    }

    private async Task RunCleanerAsync(LogCleaner cleaner, CancellationToken cancellationToken)
    {
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                // Clean back to back while logs are due (as Kafka's cleaner thread does), back off when none is.
                if (!CleanFilthiestLog(cleaner, cancellationToken))
                {
                    // Read each time: log.cleaner.backoff.ms is a dynamic broker config.
                    await Task.Delay(TimeSpan.FromMilliseconds(Math.Max(10, Broker.LogCleanerBackoffMs)), _time, cancellationToken).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        finally
        {
            cleaner.Dispose();
        }
    }

    /// <summary>Cleans the due compacted log with the highest dirty ratio; false when no log was due.</summary>
    internal bool CleanFilthiestLog(LogCleaner cleaner, CancellationToken cancellationToken)
    {
        var nowMs = _time.GetUtcNow().ToUnixTimeMilliseconds();
        var candidates = new List<(Topic Topic, Partition Partition, double Ratio)>();
        foreach (var topic in _topics.Values.Where(t => t.Config.Compact))
        {
            foreach (var partition in topic.Partitions)
            {
                try
                {
                    var toClean = LogToClean.Inspect(partition.Log, CleanerTopicSettings.From(topic.Config), CleanerCheckpoint.Read(partition.Log.Directory), nowMs, partition.LastStableOffset);
                    candidates.Add((topic, partition, toClean.DirtyRatio));
                }
                catch (Exception ex) when (ex is IOException or ObjectDisposedException)
                {
                    // Deleted or unreadable right now; the next round looks again.
                }
            }
        }

        foreach (var (topic, partition, _) in candidates.OrderByDescending(c => c.Ratio))
        {
            var name = topic.Name + "-" + partition.Index.ToString(CultureInfo.InvariantCulture);
            try
            {
                if (cleaner.Clean(name, partition.Log, topic.Config, partition.UnderLock, force: false, cancellationToken, partition.LastStableOffset, partition.OnMarkersRemoved) is not null)
                {
                    return true;
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                throw;
            }
            catch (ObjectDisposedException)
            {
                // The topic was deleted while it was being cleaned.
            }
            catch (Exception ex) when (ex is IOException or InvalidDataException or UnauthorizedAccessException)
            {
                LogCleaningFailed(_logger, ex, name);
            }
        }

        return false;
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Cleaning {Log} failed; its segments are unchanged or the swap completes at the next start")]
    private static partial void LogCleaningFailed(ILogger logger, Exception exception, string log);
}
