namespace Streams.Broker.Storage;

/// <summary>The log's side of compaction (see <see cref="Cleaner.LogCleaner"/>), apart from the rest of the log.</summary>
internal sealed partial class Log
{
    /// <summary>The segments as a reader sees them now, oldest first; the last one is the active segment.</summary>
    internal LogSegment[] SegmentsSnapshot => Volatile.Read(ref _segments);

    /// <summary>
    /// Whether <paramref name="old"/> is still a run of consecutive closed segments of this log: retention, DeleteRecords
    /// or a roll may have changed the log while the cleaner worked outside the partition lock. Caller holds the lock.
    /// </summary>
    internal bool HoldsClosedSegments(IReadOnlyList<LogSegment> old)
    {
        var segments = _segments;
        var start = Array.IndexOf(segments, old[0]);
        if (start < 0 || start + old.Count >= segments.Length)
        {
            return false;
        }

        for (var i = 0; i < old.Count; i++)
        {
            if (!ReferenceEquals(segments[start + i], old[i]))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// Puts <paramref name="cleaned"/> in place of <paramref name="old"/> (checked with <see cref="HoldsClosedSegments"/>).
    /// Readers holding the old array keep reading the old segments through their open handles. Caller holds the lock.
    /// </summary>
    internal void ReplaceSegments(IReadOnlyList<LogSegment> old, LogSegment cleaned)
    {
        var segments = _segments;
        var start = Array.IndexOf(segments, old[0]);
        Volatile.Write(ref _segments, [.. segments[..start], cleaned, .. segments[(start + old.Count)..]]);
    }
}
