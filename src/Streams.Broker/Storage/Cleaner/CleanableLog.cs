using System.Globalization;
using Streams.Broker.Configs;

namespace Streams.Broker.Storage.Cleaner;

/// <summary>The topic configs the cleaner reads, parsed once per cleaning.</summary>
internal readonly record struct CleanerTopicSettings(
    long DeleteRetentionMs,
    long MinCompactionLagMs,
    long MaxCompactionLagMs,
    double MinCleanableDirtyRatio,
    int SegmentBytes,
    int IndexIntervalBytes)
{
    public static CleanerTopicSettings From(TopicConfig config) => new(
        Long(config, "delete.retention.ms"),
        Long(config, "min.compaction.lag.ms"),
        Long(config, "max.compaction.lag.ms"),
        double.Parse(config.Value("min.cleanable.dirty.ratio"), CultureInfo.InvariantCulture),
        config.SegmentBytes,
        config.IndexIntervalBytes);

    private static long Long(TopicConfig config, string name) => long.Parse(config.Value(name), CultureInfo.InvariantCulture);
}

/// <summary>
/// Where a log stands for the cleaner (Kafka's <c>LogToClean</c>): segments wholly below the first dirty offset are
/// clean, closed segments from there up to the first uncleanable offset are dirty. The first uncleanable offset is the
/// active segment's base, or earlier the last stable offset or the first dirty segment holding a record younger than
/// <c>min.compaction.lag.ms</c>.
/// Sizes are counted by whole segments, as Kafka does.
/// </summary>
internal readonly record struct LogToClean(
    long FirstDirtyOffset,
    long FirstUncleanableOffset,
    long CleanBytes,
    long DirtyBytes,
    bool MaxCompactionLagExceeded,
    bool TombstonesExpired)
{
    public double DirtyRatio => CleanBytes + DirtyBytes == 0 ? 0 : (double)DirtyBytes / (CleanBytes + DirtyBytes);

    /// <summary>
    /// Due when the dirty share reached <c>min.cleanable.dirty.ratio</c>, when a dirty record waited longer than
    /// <c>max.compaction.lag.ms</c>, or when a kept tombstone's delete horizon passed (so it can go even if nothing new arrived).
    /// </summary>
    public bool IsDue(double minCleanableRatio) =>
        (DirtyBytes > 0 && (DirtyRatio >= minCleanableRatio || MaxCompactionLagExceeded)) || (TombstonesExpired && CleanBytes + DirtyBytes > 0);

    public static LogToClean Inspect(Log log, CleanerTopicSettings settings, CleanerCheckpoint checkpoint, long nowMs, long lastStableOffset = long.MaxValue)
    {
        var segments = log.SegmentsSnapshot;
        var firstDirty = checkpoint.FirstDirtyOffset;
        if (firstDirty < log.LogStartOffset || firstDirty > log.LogEndOffset)
        {
            // A checkpoint outside the log (records deleted below it, or a log that restarted lower) says nothing
            // about what is clean now: start again from the log start, as Kafka does.
            firstDirty = log.LogStartOffset;
        }

        // Never past the last stable offset: an open transaction may still abort, and its records must stay as written.
        var firstUncleanable = Math.Min(segments[^1].BaseOffset, lastStableOffset);
        long clean = 0, dirty = 0;
        var maxLagExceeded = false;
        var sawDirty = false;
        for (var i = 0; i < segments.Length - 1; i++)
        {
            var segment = segments[i];
            if (segment.NextOffset <= firstDirty)
            {
                clean += segment.Size;
                continue;
            }

            if (segment.BaseOffset >= firstUncleanable)
            {
                break;
            }

            if (settings.MinCompactionLagMs > 0 && segment.LargestTimestamp > nowMs - settings.MinCompactionLagMs)
            {
                firstUncleanable = segment.BaseOffset;
                break;
            }

            if (!sawDirty)
            {
                sawDirty = true;
                maxLagExceeded = segment.RollingTimestamp >= 0 && nowMs - segment.RollingTimestamp > settings.MaxCompactionLagMs;
            }

            dirty += segment.Size;
        }

        return new LogToClean(firstDirty, firstUncleanable, clean, dirty, maxLagExceeded, checkpoint.NextDeleteHorizonMs <= nowMs);
    }
}
