using System.Diagnostics.Metrics;

namespace Streams.Broker.Storage.Cleaner;

/// <summary>
/// The cleaner's instruments on the <c>Streams.Broker</c> meter (System.Diagnostics.Metrics), readable with
/// <c>dotnet-counters monitor --counters Streams.Broker</c> or any OpenTelemetry exporter that adds the meter.
/// Per-log detail of the last run is in <see cref="LogCleaner.LastRuns"/> and in the log line of every cleaning.
/// </summary>
internal static class CleanerMetrics
{
    public const string MeterName = "Streams.Broker";

    private static readonly Meter Meter = new(MeterName);

    public static readonly Counter<long> BytesRead = Meter.CreateCounter<long>("streams.broker.cleaner.bytes_read", "By", "Bytes of segments read by the log cleaner.");
    public static readonly Counter<long> BytesWritten = Meter.CreateCounter<long>("streams.broker.cleaner.bytes_written", "By", "Bytes of cleaned segments written by the log cleaner.");
    public static readonly Counter<long> RecordsRemoved = Meter.CreateCounter<long>("streams.broker.cleaner.records_removed", "{record}", "Records removed by compaction (superseded values and expired tombstones).");
    public static readonly Counter<long> Runs = Meter.CreateCounter<long>("streams.broker.cleaner.runs", "{run}", "Cleanings completed.");
    public static readonly Histogram<double> Duration = Meter.CreateHistogram<double>("streams.broker.cleaner.duration", "s", "Duration of one cleaning of one log.");
    public static readonly Histogram<double> Ratio = Meter.CreateHistogram<double>("streams.broker.cleaner.size_ratio", null, "Bytes written over bytes read by one cleaning (lower is more compaction).");
}

/// <summary>
/// What one cleaning of one log (topic-partition) did. <see cref="DirtyRatio"/> is dirty over cleanable bytes when it
/// started; <see cref="FirstDirtyOffset"/> and <see cref="EndOffset"/> are the checkpoint before and after.
/// </summary>
internal sealed record CleanerStats(
    string Log,
    long BytesRead,
    long BytesWritten,
    long RecordsRead,
    long RecordsRemoved,
    long TombstonesRemoved,
    int SegmentsBefore,
    int SegmentsAfter,
    double DirtyRatio,
    long FirstDirtyOffset,
    long EndOffset,
    TimeSpan Duration,
    DateTimeOffset FinishedAt)
{
    /// <summary>Transaction markers removed: their transaction left no batch and their delete horizon passed.</summary>
    public long MarkersRemoved { get; init; }

    public double MegabytesPerSecond => Duration.TotalSeconds <= 0 ? 0 : BytesRead / 1048576.0 / Duration.TotalSeconds;
}
