using System.Globalization;
using Microsoft.Extensions.Logging;
using Streams.Broker.Configs;
using Streams.Broker.Records;

namespace Streams.Broker.Storage;

/// <summary>
/// The log of one partition: an ordered list of segments, the log start offset and the log end offset.
/// Appends are serialized by the owning <see cref="Partition"/>; reads run lock-free over a segment snapshot.
/// </summary>
internal sealed partial class Log : IDisposable
{
    private const string LogStartOffsetFile = "log-start-offset";
    private const string CleanShutdownFile = "clean-shutdown";

    /// <summary>Suffix of segment files set aside because they failed their checks; never read again, kept for inspection.</summary>
    public const string QuarantinedSuffix = ".quarantined";

    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private LogSegment[] _segments;
    private long _logStartOffset;
    private long _logEndOffset;
    private long _unflushedMessages;
    private long _lastFlushMs;
    private Action<long>? _onRoll;

    private Log(string directory, LogSegment[] segments, long logStartOffset, ILogger logger, TimeProvider time)
    {
        Directory = directory;
        _segments = segments;
        _logStartOffset = logStartOffset;
        _logEndOffset = segments[^1].NextOffset;
        _logger = logger;
        _time = time;
        _lastFlushMs = time.GetUtcNow().ToUnixTimeMilliseconds();
    }

    public string Directory { get; }

    public long LogStartOffset => Volatile.Read(ref _logStartOffset);

    /// <summary>One past the last appended offset; on a single replica this is also the high watermark.</summary>
    public long LogEndOffset => Volatile.Read(ref _logEndOffset);

    private LogSegment Active => _segments[^1];

    /// <summary>
    /// Opens (or creates) the log in <paramref name="directory"/>. After an unclean stop the last segment is checked
    /// batch by batch and cut at the first torn or corrupt batch; everything before it is kept.
    /// <paramref name="onBatch"/> sees every surviving batch header in offset order (producer state is rebuilt from it)
    /// unless the stop was clean and <paramref name="restoreProducerState"/> restored that state from its snapshot:
    /// then segments open from their index files without reading every batch.
    /// </summary>
    /// <remarks>
    /// Segments below the recovery point (every segment after a clean stop, every rolled — fsynced — segment after
    /// an unclean one) are never rewritten. One that fails its structural check is quarantined: a middle segment is
    /// set aside whole (its offsets read as a gap); the tail after a clean stop is copied aside before being cut to
    /// its valid prefix, since the next append must continue right after the last readable batch.
    /// </remarks>
    public static Log Open(string directory, TopicConfig config, ILogger logger, TimeProvider time, Action<RecordBatchHeader>? onBatch, Func<long?, bool>? restoreProducerState = null, Action<long>? onRoll = null)
    {
        System.IO.Directory.CreateDirectory(directory);

        // Compaction hook: finish or drop a swap of cleaned segments that a crash interrupted, before segments are read.
        Cleaner.CleanerSwap.Recover(directory, logger);
        var cleanMarker = Path.Combine(directory, CleanShutdownFile);
        var clean = File.Exists(cleanMarker);
        var baseOffsets = System.IO.Directory.EnumerateFiles(directory, "*.log")
            .Select(path => long.TryParse(Path.GetFileNameWithoutExtension(path), NumberStyles.None, CultureInfo.InvariantCulture, out var o) ? o : -1)
            .Where(o => o >= 0)
            .Order()
            .ToList();

        // Segments below walkFrom open from their index files; from walkFrom on every batch is replayed. After a clean
        // stop with a shutdown snapshot nothing is replayed; otherwise replay starts at the newest segment whose
        // roll-time producer snapshot loads (rolled segments were fsynced with their indexes, so they are trusted),
        // or at the very beginning.
        var walkFrom = long.MaxValue;
        if (!(clean && restoreProducerState is not null && restoreProducerState(null)))
        {
            walkFrom = baseOffsets.Count > 0 ? baseOffsets[0] : 0;
            foreach (var candidate in Enumerable.Reverse(baseOffsets).Take(2))
            {
                if (candidate > walkFrom && restoreProducerState is not null && restoreProducerState(candidate))
                {
                    walkFrom = candidate;
                    break;
                }
            }
        }

        var logStartOffset = ReadLogStartOffset(directory);
        var segments = new List<LogSegment>();
        for (var i = 0; i < baseOffsets.Count; i++)
        {
            var isLast = i == baseOffsets.Count - 1;
            string? reason = null;
            var fromIndexes = baseOffsets[i] < walkFrom;
            var segment = fromIndexes
                ? LogSegment.OpenWithIndexes(directory, baseOffsets[i], config.IndexIntervalBytes, out _)
                : LogSegment.Open(directory, baseOffsets[i], validate: isLast && !clean, config.IndexIntervalBytes, (h, _) => onBatch?.Invoke(h), out reason, truncate: isLast && !clean);
            if (segment.CorruptionReason is { } corruption)
            {
                var aside = LogSegment.FilePath(directory, segment.BaseOffset, ".log") + QuarantinedSuffix;
                if (!isLast)
                {
                    segment.Dispose();
                    foreach (var extension in new[] { ".log", ".index", ".timeindex" })
                    {
                        var path = LogSegment.FilePath(directory, segment.BaseOffset, extension);
                        if (File.Exists(path))
                        {
                            File.Move(path, path + QuarantinedSuffix, overwrite: true);
                        }
                    }

                    LogSegmentQuarantined(logger, aside, corruption);
                    continue;
                }

                File.Copy(LogSegment.FilePath(directory, segment.BaseOffset, ".log"), aside, overwrite: true);
                segment.TruncateToValidPrefix();
                LogTailQuarantined(logger, aside, corruption, segment.Size);
            }
            else if (reason is not null)
            {
                LogRecovered(logger, directory, segment.BaseOffset, segment.Size, reason);
            }

            if (!isLast)
            {
                // Rolled segments are only read from now on: do not hold a handle per file until someone does.
                segment.ReleaseHandleIfIdle(0);
            }

            segments.Add(segment);
        }

        // The log start offset is made durable at once (DeleteRecords, retention) but the records below it may not
        // have been: a crash can leave the log ending below its start. As Kafka does, such a log restarts empty at
        // its start offset; otherwise the next append would reuse offsets below the start, where no one reads.
        if (segments.Count > 0 && segments[^1].NextOffset < logStartOffset)
        {
            LogRestartedAtStart(logger, directory, segments[^1].NextOffset, logStartOffset);
            foreach (var segment in segments)
            {
                segment.Delete();
            }

            segments.Clear();
        }

        if (segments.Count == 0)
        {
            segments.Add(LogSegment.Create(directory, logStartOffset, time.GetUtcNow().ToUnixTimeMilliseconds()));
        }

        logStartOffset = Math.Max(logStartOffset, segments[0].BaseOffset);
        File.Delete(cleanMarker);
        return new Log(directory, [.. segments], logStartOffset, logger, time) { _onRoll = onRoll };
    }

    private static long ReadLogStartOffset(string directory)
    {
        var path = Path.Combine(directory, LogStartOffsetFile);
        return File.Exists(path) && long.TryParse(File.ReadAllText(path), NumberStyles.None, CultureInfo.InvariantCulture, out var offset) ? offset : 0;
    }

    /// <summary>Appends one validated batch whose base offset equals <see cref="LogEndOffset"/>. Caller holds the partition lock.</summary>
    public void Append(ReadOnlySpan<byte> batch, RecordBatchHeader header, TopicConfig config)
    {
        MaybeRoll(batch.Length, header, config);
        var previousEnd = _logEndOffset;

        // Publish the end offset before the bytes: a reader that sees the bytes then always sees an end offset
        // (high watermark) that covers them.
        Volatile.Write(ref _logEndOffset, header.LastOffset + 1);
        try
        {
            Active.Append(batch, header, config.IndexIntervalBytes);
        }
        catch
        {
            Volatile.Write(ref _logEndOffset, previousEnd);
            throw;
        }

        _unflushedMessages += header.RecordsCount;
        if (_unflushedMessages >= config.FlushMessages)
        {
            Flush();
        }
    }

    private void MaybeRoll(int batchSize, RecordBatchHeader header, TopicConfig config)
    {
        var active = Active;
        if (active.IsEmpty)
        {
            return;
        }

        var full = active.Size + batchSize > config.SegmentBytes;
        var old = header.MaxTimestamp - active.RollingTimestamp > config.SegmentMs;
        var offsetsExhausted = header.LastOffset - active.BaseOffset > int.MaxValue;
        if (full || old || offsetsExhausted)
        {
            Roll();
        }
    }

    /// <summary>Closes the active segment (fsync + indexes) and starts a new one at the log end offset.</summary>
    public void Roll()
    {
        Active.FlushWithIndexes();
        var next = LogSegment.Create(Directory, LogEndOffset, _time.GetUtcNow().ToUnixTimeMilliseconds());
        Volatile.Write(ref _segments, [.. _segments, next]);

        // The owner snapshots its producer state as of the new segment's base offset (Kafka's per-segment producer
        // snapshot), so recovery after a crash replays only from here.
        _onRoll?.Invoke(next.BaseOffset);
    }

    public void Flush()
    {
        Active.Flush();
        _unflushedMessages = 0;
        _lastFlushMs = _time.GetUtcNow().ToUnixTimeMilliseconds();
    }

    /// <summary>Applies <c>flush.ms</c>. Caller holds the partition lock.</summary>
    public void FlushIfDue(TopicConfig config, long nowMs)
    {
        if (_unflushedMessages > 0 && nowMs - _lastFlushMs >= config.FlushMs)
        {
            Flush();
        }
    }

    /// <summary>
    /// Locates the bytes to return for a fetch at <paramref name="offset"/>: whole batches starting with the one that
    /// holds the offset, up to <paramref name="maxBytes"/> (the last may be cut short, as Kafka does), or at least the
    /// first batch when <paramref name="minOneBatch"/>. Null when nothing is available at that offset yet.
    /// </summary>
    public LogReadSlice? Locate(long offset, int maxBytes, bool minOneBatch, long maxOffset = long.MaxValue)
    {
        if (offset >= maxOffset)
        {
            return null;
        }

        var segments = Volatile.Read(ref _segments);
        var index = FloorSegment(segments, offset);
        for (var i = Math.Max(index, 0); i < segments.Length; i++)
        {
            var segment = segments[i];
            var size = segment.Size;
            var found = segment.FindBatch(offset, size);
            if (found is null)
            {
                continue;
            }

            var (position, header) = found.Value;
            var end = size;
            if (maxOffset != long.MaxValue && segment.FindBatch(maxOffset, size) is { } stop && stop.Header.BaseOffset >= maxOffset)
            {
                // read_committed: stop before the batch at the last stable offset (it is the first of an open transaction).
                end = stop.Position;
            }

            var available = (int)Math.Min(end - position, int.MaxValue);
            var length = Math.Min(available, maxBytes);
            if (length < header.TotalSize)
            {
                // KIP-74: only the first partition of a response may exceed the limits, and then by one whole batch.
                if (!minOneBatch)
                {
                    return null;
                }

                length = header.TotalSize;
            }

            return length <= 0 ? null : new LogReadSlice(segment, position, length, header.BaseOffset);
        }

        return null;
    }

    private static int FloorSegment(LogSegment[] segments, long offset)
    {
        int lo = 0, hi = segments.Length - 1, found = -1;
        while (lo <= hi)
        {
            var mid = (lo + hi) >>> 1;
            if (segments[mid].BaseOffset <= offset)
            {
                found = mid;
                lo = mid + 1;
            }
            else
            {
                hi = mid - 1;
            }
        }

        return found;
    }

    /// <summary>Headers of every batch from the segment that may hold <paramref name="timestamp"/> onwards.</summary>
    public IEnumerable<(LogSegment Segment, long Position, RecordBatchHeader Header)> BatchesFromTimestamp(long timestamp)
    {
        var segments = Volatile.Read(ref _segments);
        var started = false;
        foreach (var segment in segments)
        {
            if (!started && segment.LargestTimestamp < timestamp)
            {
                continue;
            }

            var batches = started ? segment.Batches(segment.Size) : segment.BatchesFromTimestamp(timestamp, segment.Size);
            started = true;
            foreach (var (position, header) in batches)
            {
                yield return (segment, position, header);
            }
        }
    }

    /// <summary>Headers of every batch in the log, oldest first.</summary>
    public IEnumerable<(LogSegment Segment, long Position, RecordBatchHeader Header)> AllBatches()
    {
        foreach (var segment in Volatile.Read(ref _segments))
        {
            foreach (var (position, header) in segment.Batches(segment.Size))
            {
                yield return (segment, position, header);
            }
        }
    }

    /// <summary>
    /// The first record at or after <paramref name="timestamp"/> from the log start offset on (Kafka's
    /// fetchOffsetByTimestamp): the time index finds the segment and batch to start from, then batches whose max
    /// timestamp is too small are skipped by header and the first candidate batch is read to find the record.
    /// </summary>
    public (long Timestamp, long Offset)? FetchOffsetByTimestamp(long timestamp)
    {
        var logStartOffset = LogStartOffset;
        foreach (var (segment, position, header) in BatchesFromTimestamp(timestamp))
        {
            if (header.MaxTimestamp < timestamp || header.LastOffset < logStartOffset)
            {
                continue;
            }

            var (offset, recordTimestamp) = ReadBatch(segment, position, header, batch =>
            {
                var found = RecordBatchReader.FirstOffsetAtOrAfterTimestamp(batch, timestamp, out var ts);
                return (found, ts);
            });
            if (offset >= 0)
            {
                return (recordTimestamp, Math.Max(offset, logStartOffset));
            }
        }

        return null;
    }

    /// <summary>
    /// The record with the largest timestamp at or after the log start offset (ListOffsets MAX_TIMESTAMP, KIP-734);
    /// null when there is none. Each segment's time index ends with its max timestamp and the batch holding it, so
    /// only that one batch is read; only a segment whose max lies below the log start offset is walked, from the start.
    /// </summary>
    public (long Timestamp, long Offset)? FetchMaxTimestampOffset()
    {
        var logStartOffset = LogStartOffset;
        (LogSegment Segment, long Position, RecordBatchHeader Header)? best = null;
        foreach (var segment in Volatile.Read(ref _segments))
        {
            var size = segment.Size;
            if (segment.NextOffset <= logStartOffset || segment.MaxTimestampBatch is not { } max || (best is { } b0 && max.Timestamp <= b0.Header.MaxTimestamp))
            {
                continue;
            }

            // Empty batches (a producer's last batch kept by compaction) hold no record to point at: walk instead.
            if (segment.FindBatch(max.BatchBaseOffset, size) is { } found && found.Header.LastOffset >= logStartOffset && found.Header.RecordsCount > 0)
            {
                best = (segment, found.Position, found.Header);
                continue;
            }

            // The segment's max sits below the log start offset (DeleteRecords inside the segment) or in an empty batch:
            // walk what is left.
            var start = segment.FindBatch(logStartOffset, size);
            for (var position = start?.Position ?? size; position + RecordBatchHeader.Size <= size;)
            {
                var header = segment.ReadHeader(position);
                if (header.RecordsCount > 0 && (best is null || header.MaxTimestamp > best.Value.Header.MaxTimestamp))
                {
                    best = (segment, position, header);
                }

                position += header.TotalSize;
            }
        }

        if (best is not { } b)
        {
            return null;
        }

        var (offset, timestamp) = ReadBatch(b.Segment, b.Position, b.Header, RecordBatchReader.MaxTimestampRecord);
        return (timestamp, offset);
    }

    private static T ReadBatch<T>(LogSegment segment, long position, RecordBatchHeader header, BatchFunc<T> read)
    {
        var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(header.TotalSize);
        try
        {
            var span = buffer.AsSpan(0, header.TotalSize);
            segment.Read(position, span);
            return read(span);
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private delegate T BatchFunc<out T>(ReadOnlySpan<byte> batch);

    /// <summary>Moves the log start offset forward (DeleteRecords, retention) and persists it. Caller holds the partition lock.</summary>
    public void AdvanceLogStartOffset(long offset)
    {
        if (offset <= LogStartOffset)
        {
            return;
        }

        Volatile.Write(ref _logStartOffset, offset);
        FileUtil.WriteAtomically(Path.Combine(Directory, LogStartOffsetFile), offset.ToString(CultureInfo.InvariantCulture));
    }

    /// <summary>
    /// Deletes whole segments that are below the log start offset or outside <c>retention.ms</c>/<c>retention.bytes</c>.
    /// The active segment is rolled first when it has itself expired, so an idle topic still ages out. Caller holds the partition lock.
    /// Returns the segments removed; the caller deletes their files once in-flight reads are done.
    /// </summary>
    public IReadOnlyList<LogSegment> ApplyRetention(TopicConfig config, long nowMs)
    {
        var removed = new List<LogSegment>();
        var segments = _segments.ToList();
        var total = segments.Sum(s => s.Size);

        bool Expired(LogSegment s) => config.Delete && config.RetentionMs >= 0 && s.LargestTimestamp >= 0 && nowMs - s.LargestTimestamp > config.RetentionMs;

        if (!Active.IsEmpty && Expired(Active) && segments.All(Expired))
        {
            Roll();
            segments = _segments.ToList();
        }

        while (segments.Count > 1)
        {
            var oldest = segments[0];
            var belowStart = oldest.NextOffset <= LogStartOffset;
            var tooBig = config.Delete && config.RetentionBytes >= 0 && total - oldest.Size >= config.RetentionBytes;
            if (!belowStart && !Expired(oldest) && !tooBig)
            {
                break;
            }

            segments.RemoveAt(0);
            total -= oldest.Size;
            removed.Add(oldest);
        }

        if (removed.Count > 0)
        {
            Volatile.Write(ref _segments, [.. segments]);
            AdvanceLogStartOffset(segments[0].BaseOffset);
        }

        return removed;
    }

    /// <summary>Closes the file handles of rolled segments unused for <paramref name="idleMs"/>; reads open them again.</summary>
    public int ReleaseIdleHandles(long idleMs)
    {
        var segments = Volatile.Read(ref _segments);
        var released = 0;
        for (var i = 0; i < segments.Length - 1; i++)
        {
            released += segments[i].ReleaseHandleIfIdle(idleMs) ? 1 : 0;
        }

        return released;
    }

    /// <summary>Clean shutdown: fsync everything, persist indexes and leave a marker so the next start skips tail validation.</summary>
    public void Close()
    {
        foreach (var segment in _segments)
        {
            segment.FlushWithIndexes();
            segment.Dispose();
        }

        FileUtil.WriteAtomically(Path.Combine(Directory, CleanShutdownFile), "clean");
    }

    public void Dispose()
    {
        foreach (var segment in _segments)
        {
            segment.Dispose();
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Recovered {Directory}: the log ended at {LogEndOffset}, below its start offset {LogStartOffset}; it continues empty from the start offset")]
    private static partial void LogRestartedAtStart(ILogger logger, string directory, long logEndOffset, long logStartOffset);

    [LoggerMessage(Level = LogLevel.Error, Message = "Quarantined segment {File}: {Reason}; it is kept beside the log and its offsets are skipped")]
    private static partial void LogSegmentQuarantined(ILogger logger, string file, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "The last segment fails its check after a clean shutdown ({Reason}); its original is kept as {File} and the log continues after its valid {Size} bytes")]
    private static partial void LogTailQuarantined(ILogger logger, string file, string reason, long size);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Recovered {Directory}: segment {BaseOffset} truncated to {Size} bytes because {Reason}")]
    private static partial void LogRecovered(ILogger logger, string directory, long baseOffset, long size, string reason);
}

/// <summary>A contiguous range of stored bytes to send for a fetch.</summary>
internal readonly record struct LogReadSlice(LogSegment Segment, long Position, int Length, long FirstBatchOffset);
