using System.Buffers;
using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Streams.Broker.Configs;
using Streams.Broker.Records;

namespace Streams.Broker.Storage.Cleaner;

/// <summary>
/// Compaction of <c>cleanup.policy=compact</c> logs, after Kafka's <c>LogCleaner</c>. One cleaning of one log:
/// <list type="number">
/// <item>map every key of the dirty section (closed segments from the checkpoint to the first uncleanable offset) to
/// its latest offset, within the bounded <see cref="OffsetMap"/> (a larger dirty section is done in several passes);</item>
/// <item>rewrite every closed segment up to where the map ends, oldest first, in groups that fit <c>segment.bytes</c>,
/// keeping a record only when no later record has its key; offsets are never changed, so the log just becomes sparse;</item>
/// <item>swap each cleaned group in crash-safely (<see cref="CleanerSwap"/>), then move the checkpoint.</item>
/// </list>
/// Batches keep their base offset, last offset delta, producer fields and codec. A producer's last batch survives
/// as an empty batch when all its records go, so producer state rebuilt from the log still knows its last sequence.
/// Tombstones (null values) are kept for <c>delete.retention.ms</c> from the first cleaning that passed them, recorded
/// in the batch as Kafka does (KIP-534: attribute bit 6, the delete horizon stored as the base timestamp).
/// The active segment is never touched; appends, fetches and retention go on while a log is cleaned, only the swap
/// takes the partition lock.
/// </summary>
internal sealed partial class LogCleaner : IDisposable
{
    /// <summary>Attribute bit 6 of a v2 batch: the base timestamp is the delete horizon of its tombstones (KIP-534).</summary>
    public const short DeleteHorizonFlag = 0x40;

    private static readonly TimeSpan RetireGrace = TimeSpan.FromSeconds(2);

    private long _dedupeBufferSize;
    private CleanerThrottler _throttler;
    private Tuple<long, double>? _reconfigured;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly ConcurrentQueue<(LogSegment Segment, long DisposeAtMs)> _retired = new();
    private readonly HashSet<string> _failedLogs = new(StringComparer.Ordinal);
    private OffsetMap? _map;

    public LogCleaner(long dedupeBufferSize, double ioMaxBytesPerSecond, ILogger logger, TimeProvider time)
    {
        _dedupeBufferSize = dedupeBufferSize;
        _throttler = new CleanerThrottler(ioMaxBytesPerSecond);
        _logger = logger;
        _time = time;
    }

    /// <summary>
    /// New <c>log.cleaner.dedupe.buffer.size</c> and <c>log.cleaner.io.max.bytes.per.second</c> (dynamic broker configs),
    /// taken up by the cleaner thread before its next cleaning (the one under way finishes with the old ones).
    /// </summary>
    public void Reconfigure(long dedupeBufferSize, double ioMaxBytesPerSecond) =>
        Volatile.Write(ref _reconfigured, Tuple.Create(dedupeBufferSize, ioMaxBytesPerSecond));

    /// <summary>The last cleaning of each log, by topic-partition.</summary>
    public ConcurrentDictionary<string, CleanerStats> LastRuns { get; } = new(StringComparer.Ordinal);

    /// <summary>Test hook: called after each file step of a swap ("cleaned", "swap", "deleted"); throwing simulates a crash there.</summary>
    internal Action<string>? AfterStep { get; set; }

    /// <summary>
    /// Cleans <paramref name="log"/> if it is due (or always with <paramref name="force"/>). <paramref name="underLock"/>
    /// runs the swap under the partition lock. Nothing at or past <paramref name="lastStableOffset"/> is cleaned: an open
    /// transaction's records stay as written until it ends. <paramref name="markersRemoved"/> hears, under the lock of
    /// each swap, the offsets of the transaction markers that swap removed. Returns what was done, or null when there was nothing to clean.
    /// </summary>
    public CleanerStats? Clean(string name, Log log, TopicConfig config, Func<Func<bool>, bool> underLock, bool force = false, CancellationToken cancellationToken = default, long lastStableOffset = long.MaxValue, Action<IReadOnlySet<long>>? markersRemoved = null)
    {
        DisposeRetired(all: false);
        if (Interlocked.Exchange(ref _reconfigured, null) is { } reconfigured)
        {
            if (reconfigured.Item1 != _dedupeBufferSize)
            {
                _dedupeBufferSize = reconfigured.Item1;
                _map = null;
            }

            _throttler = new CleanerThrottler(reconfigured.Item2);
        }

        if (_failedLogs.Contains(log.Directory))
        {
            return null;
        }

        var settings = CleanerTopicSettings.From(config);
        var nowMs = _time.GetUtcNow().ToUnixTimeMilliseconds();
        var checkpoint = CleanerCheckpoint.Read(log.Directory);
        var toClean = LogToClean.Inspect(log, settings, checkpoint, nowMs, lastStableOffset);
        if (!(force || toClean.IsDue(settings.MinCleanableDirtyRatio)))
        {
            return null;
        }

        var stopwatch = Stopwatch.StartNew();
        foreach (var stale in Directory.EnumerateFiles(log.Directory, "*" + CleanerSwap.CleanedExtension))
        {
            // Left by a cleaning that failed or was cancelled before its swap; only this cleaner writes them.
            File.Delete(stale);
        }

        var segments = log.SegmentsSnapshot;
        var map = _map ??= new OffsetMap(_dedupeBufferSize);
        var counters = new Counters();
        var producers = ProducerBatches.Scan(segments);
        var endOffset = BuildOffsetMap(map, segments, toClean, producers.Aborted, ref counters, cancellationToken);
        var cleanable = segments[..^1].Where(s => s.BaseOffset < endOffset && s.BaseOffset < toClean.FirstUncleanableOffset).ToList();
        if (cleanable.Count == 0)
        {
            return null;
        }

        var transactions = new TransactionTracker();
        var nextHorizon = long.MaxValue;
        var groups = GroupSegmentsBySize(cleanable, settings.SegmentBytes);
        var segmentsAfter = 0;
        foreach (var group in groups)
        {
            var nextBase = segments[Array.IndexOf(segments, group[^1]) + 1].BaseOffset;
            if (!CleanGroup(log, group, nextBase, map, producers, transactions, Math.Min(lastStableOffset, endOffset), markersRemoved, settings, nowMs, underLock, ref counters, ref nextHorizon, cancellationToken))
            {
                // The log changed under us (retention, DeleteRecords): what was swapped stays, the rest waits for the next run.
                map.Clear();
                return null;
            }

            segmentsAfter++;
        }

        new CleanerCheckpoint(endOffset, nextHorizon).Write(log.Directory);
        map.Clear();
        var stats = new CleanerStats(name, counters.BytesRead, counters.BytesWritten, counters.RecordsRead, counters.RecordsRemoved,
            counters.TombstonesRemoved, cleanable.Count, segmentsAfter, toClean.DirtyRatio, toClean.FirstDirtyOffset, endOffset,
            stopwatch.Elapsed, _time.GetUtcNow()) { MarkersRemoved = counters.MarkersRemoved };
        Report(stats);
        return stats;
    }

    private void Report(CleanerStats stats)
    {
        LastRuns[stats.Log] = stats;
        CleanerMetrics.Runs.Add(1);
        CleanerMetrics.BytesRead.Add(stats.BytesRead);
        CleanerMetrics.BytesWritten.Add(stats.BytesWritten);
        CleanerMetrics.RecordsRemoved.Add(stats.RecordsRemoved);
        CleanerMetrics.Duration.Record(stats.Duration.TotalSeconds);
        if (stats.BytesRead > 0)
        {
            CleanerMetrics.Ratio.Record((double)stats.BytesWritten / stats.BytesRead);
        }

        LogCleaned(_logger, stats.Log, stats.FirstDirtyOffset, stats.EndOffset, stats.DirtyRatio, stats.SegmentsBefore, stats.SegmentsAfter,
            stats.BytesRead / 1048576.0, stats.BytesWritten / 1048576.0, stats.RecordsRead, stats.RecordsRemoved, stats.TombstonesRemoved,
            stats.Duration.TotalMilliseconds, stats.MegabytesPerSecond);
    }

    /// <summary>
    /// Maps the dirty section's keys; returns the end (exclusive) of what was mapped: the first uncleanable offset, or
    /// the offset of the first record that did not fit.
    /// </summary>
    private long BuildOffsetMap(OffsetMap map, LogSegment[] segments, LogToClean toClean, HashSet<long> aborted, ref Counters counters, CancellationToken cancellationToken)
    {
        map.Clear();
        var firstDirty = toClean.FirstDirtyOffset;
        for (var i = 0; i < segments.Length - 1; i++)
        {
            var segment = segments[i];
            if (segment.BaseOffset >= toClean.FirstUncleanableOffset)
            {
                break;
            }

            if (segment.NextOffset <= firstDirty)
            {
                continue;
            }

            foreach (var (position, header) in segment.Batches(segment.Size))
            {
                cancellationToken.ThrowIfCancellationRequested();
                // An aborted transaction's records never supersede anything: they are not in the map.
                if (header.LastOffset < firstDirty || header.IsControl || header.RecordsCount == 0 || header.BaseOffset >= toClean.FirstUncleanableOffset
                    || (header.IsTransactional && aborted.Contains(header.BaseOffset)))
                {
                    continue;
                }

                var full = WithBatch(segment, position, header, (batch, h) => MapBatch(map, batch, h, firstDirty));
                counters.BytesRead += header.TotalSize;
                _throttler.Add(header.TotalSize, cancellationToken);
                if (full >= 0)
                {
                    return full;
                }
            }
        }

        return toClean.FirstUncleanableOffset;
    }

    /// <summary>Puts the batch's keys in the map; returns -1, or the offset of the first record that did not fit.</summary>
    private static long MapBatch(OffsetMap map, ReadOnlySpan<byte> batch, RecordBatchHeader header, long firstDirty)
    {
        using var pooled = RecordBatchReader.OpenRecords(batch, out _, out var encoded);
        var cursor = new RecordCursor(encoded);
        while (!cursor.AtEnd)
        {
            var record = RecordBatchReader.ReadNext(ref cursor);
            var offset = header.BaseOffset + record.OffsetDelta;
            if (offset < firstDirty || !record.HasKey)
            {
                continue;
            }

            if (!map.Put(record.Key, offset))
            {
                return offset;
            }
        }

        return -1;
    }

    /// <summary>
    /// Consecutive segments whose total size fits <c>segment.bytes</c> and whose offsets fit the relative offsets of
    /// one segment's index become one cleaned segment (Kafka's <c>groupSegmentsBySize</c>), so a log of many small
    /// cleaned segments does not keep its file count forever.
    /// </summary>
    internal static List<List<LogSegment>> GroupSegmentsBySize(IReadOnlyList<LogSegment> segments, int maxSize)
    {
        var groups = new List<List<LogSegment>>();
        List<LogSegment>? current = null;
        long size = 0;
        foreach (var segment in segments)
        {
            if (current is null || size + segment.Size > maxSize || segment.NextOffset - current[0].BaseOffset > int.MaxValue)
            {
                current = [];
                groups.Add(current);
                size = 0;
            }

            current.Add(segment);
            size += segment.Size;
        }

        return groups;
    }

    private bool CleanGroup(
        Log log,
        List<LogSegment> group,
        long nextBase,
        OffsetMap map,
        ProducerBatches producers,
        TransactionTracker transactions,
        long lastStableOffset,
        Action<IReadOnlySet<long>>? markersRemoved,
        CleanerTopicSettings settings,
        long nowMs,
        Func<Func<bool>, bool> underLock,
        ref Counters counters,
        ref long nextHorizon,
        CancellationToken cancellationToken)
    {
        var directory = log.Directory;
        var baseOffset = group[0].BaseOffset;
        var cleanedPath = CleanerSwap.CleanedPath(directory, baseOffset, nextBase);
        var filter = new BatchFilter(map, producers, transactions, lastStableOffset, nowMs, settings.DeleteRetentionMs);
        using (var output = new FileStream(cleanedPath, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
        {
            foreach (var segment in group)
            {
                foreach (var (position, header) in segment.Batches(segment.Size))
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    var written = WithBatch(segment, position, header, (batch, h) => filter.Filter(batch, h, output));
                    counters.BytesRead += header.TotalSize;
                    counters.BytesWritten += written;
                    _throttler.Add(header.TotalSize + written, cancellationToken);
                }
            }

            output.Flush(flushToDisk: true);
        }

        counters.RecordsRead += filter.RecordsRead;
        counters.RecordsRemoved += filter.RecordsRemoved;
        counters.TombstonesRemoved += filter.TombstonesRemoved;
        counters.MarkersRemoved += filter.RemovedMarkers.Count;
        nextHorizon = Math.Min(nextHorizon, filter.NextDeleteHorizonMs);
        AfterStep?.Invoke("cleaned");

        var swapped = underLock(() =>
        {
            if (!log.HoldsClosedSegments(group))
            {
                return false;
            }

            try
            {
                File.Move(cleanedPath, CleanerSwap.SwapPath(directory, baseOffset, nextBase));
                AfterStep?.Invoke("swap");
                CleanerSwap.Complete(directory, baseOffset, nextBase, AfterStep);
                var cleaned = LogSegment.Open(directory, baseOffset, validate: false, settings.IndexIntervalBytes, null, out _);
                log.ReplaceSegments(group, cleaned);
                if (filter.RemovedMarkers.Count > 0)
                {
                    markersRemoved?.Invoke(filter.RemovedMarkers);
                }
            }
            catch (IOException)
            {
                // Past the rename the swap is committed on disk and completes at the next open; until then this log
                // keeps serving its old segments (their handles stay open) and is not cleaned again.
                _failedLogs.Add(directory);
                throw;
            }

            return true;
        });

        if (!swapped)
        {
            File.Delete(cleanedPath);
            return false;
        }

        var disposeAt = _time.GetUtcNow().Add(RetireGrace).ToUnixTimeMilliseconds();
        foreach (var old in group)
        {
            // The files are gone; in-flight fetches that took the old segment array still read through these handles.
            _retired.Enqueue((old, disposeAt));
        }

        return true;
    }

    private void DisposeRetired(bool all)
    {
        var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        while (_retired.TryPeek(out var retired) && (all || retired.DisposeAtMs <= now) && _retired.TryDequeue(out retired))
        {
            retired.Segment.Dispose();
        }
    }

    public void Dispose() => DisposeRetired(all: true);

    private delegate T BatchAction<out T>(ReadOnlySpan<byte> batch, RecordBatchHeader header);

    private static T WithBatch<T>(LogSegment segment, long position, RecordBatchHeader header, BatchAction<T> action)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(header.TotalSize);
        try
        {
            var span = buffer.AsSpan(0, header.TotalSize);
            segment.Read(position, span);
            return action(span, header);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private struct Counters
    {
        public long BytesRead;
        public long BytesWritten;
        public long RecordsRead;
        public long RecordsRemoved;
        public long TombstonesRemoved;
        public long MarkersRemoved;
    }

    /// <summary>Decides, batch by batch, what survives, and writes the surviving batches.</summary>
    private sealed class BatchFilter(OffsetMap map, ProducerBatches producers, TransactionTracker transactions, long lastStableOffset, long nowMs, long deleteRetentionMs)
    {
        private readonly List<bool> _keep = [];
        private readonly ArrayBufferWriter<byte> _records = new();

        public long RecordsRead { get; private set; }

        public long RecordsRemoved { get; private set; }

        public long TombstonesRemoved { get; private set; }

        /// <summary>Base offsets of the transaction markers this group dropped.</summary>
        public HashSet<long> RemovedMarkers { get; } = [];

        public long NextDeleteHorizonMs { get; private set; } = long.MaxValue;

        /// <summary>Writes what survives of one batch to <paramref name="output"/>; returns the bytes written.</summary>
        public int Filter(ReadOnlySpan<byte> batch, RecordBatchHeader header, Stream output)
        {
            if (header.BaseOffset >= lastStableOffset)
            {
                // An open transaction's batch, or anything after it in the same segment: untouched until the LSO passes it.
                transactions.OnData(header, retained: true);
                return Write(output, batch);
            }

            if (header.IsControl)
            {
                return FilterMarker(batch, header, output);
            }

            var written = FilterData(batch, header, output);
            transactions.OnData(header, retained: written > 0);
            return written;
        }

        /// <summary>
        /// A transaction marker stays while any batch of its transaction does (a header walk on start would otherwise
        /// take that batch for an open transaction). Once its transaction left nothing, it is stamped with a delete
        /// horizon of <c>delete.retention.ms</c>, so a read_committed consumer in the middle of the log still sees it,
        /// and goes at the first cleaning past that horizon (as Kafka's cleaner does).
        /// </summary>
        private int FilterMarker(ReadOnlySpan<byte> batch, RecordBatchHeader header, Stream output)
        {
            if (!header.IsTransactional || transactions.OnMarker(header.ProducerId))
            {
                return Write(output, batch);
            }

            var hasHorizon = (header.Attributes & DeleteHorizonFlag) != 0;
            if (hasHorizon && nowMs >= header.BaseTimestamp)
            {
                RemovedMarkers.Add(header.BaseOffset);
                return 0;
            }

            var horizon = hasHorizon ? header.BaseTimestamp : SaturatingAdd(nowMs, deleteRetentionMs);
            NextDeleteHorizonMs = Math.Min(NextDeleteHorizonMs, horizon);
            if (hasHorizon)
            {
                return Write(output, batch);
            }

            using var pooled = RecordBatchReader.OpenRecords(batch, out _, out var encoded);
            _keep.Clear();
            var cursor = new RecordCursor(encoded);
            while (!cursor.AtEnd)
            {
                RecordBatchReader.ReadNext(ref cursor);
                _keep.Add(true);
            }

            return Write(output, Rebuild(header, encoded, horizon));
        }

        private int FilterData(ReadOnlySpan<byte> batch, RecordBatchHeader header, Stream output)
        {
            var isLastOfProducer = header.HasProducerId && producers.LastOfProducer.Contains(header.BaseOffset);
            if (header.RecordsCount == 0)
            {
                // An empty batch is only ever a producer's former last batch; it goes once the producer wrote another.
                return isLastOfProducer ? Write(output, batch) : 0;
            }

            if (header.IsTransactional && producers.Aborted.Contains(header.BaseOffset))
            {
                // An aborted transaction's records: no reader may ever see them, so they all go.
                RecordsRead += header.RecordsCount;
                RecordsRemoved += header.RecordsCount;
                return isLastOfProducer ? Write(output, EmptyBatch(header)) : 0;
            }

            var hasHorizon = (header.Attributes & DeleteHorizonFlag) != 0;
            using var pooled = RecordBatchReader.OpenRecords(batch, out _, out var encoded);

            // First pass: decide each record. Superseded records and records without a key go (a compacted topic
            // has no use for them, as in Kafka); tombstones go once their delete horizon has passed.
            _keep.Clear();
            int kept = 0, total = 0;
            var keptTombstone = false;
            var cursor = new RecordCursor(encoded);
            while (!cursor.AtEnd)
            {
                var record = RecordBatchReader.ReadNext(ref cursor);
                total++;
                var keep = record.HasKey && map.Get(record.Key) <= header.BaseOffset + record.OffsetDelta;
                if (keep && !record.HasValue)
                {
                    if (hasHorizon && nowMs >= header.BaseTimestamp)
                    {
                        keep = false;
                        TombstonesRemoved++;
                    }
                    else
                    {
                        keptTombstone = true;
                    }
                }

                _keep.Add(keep);
                kept += keep ? 1 : 0;
            }

            RecordsRead += total;
            RecordsRemoved += total - kept;
            var horizon = keptTombstone ? (hasHorizon ? header.BaseTimestamp : SaturatingAdd(nowMs, deleteRetentionMs)) : -1;
            if (keptTombstone)
            {
                NextDeleteHorizonMs = Math.Min(NextDeleteHorizonMs, horizon);
            }

            if (kept == total && (!keptTombstone || hasHorizon))
            {
                return Write(output, batch);
            }

            if (kept == 0)
            {
                return isLastOfProducer ? Write(output, EmptyBatch(header)) : 0;
            }

            return Write(output, Rebuild(header, encoded, horizon));
        }

        /// <summary>
        /// The batch with only the kept records: same base offset, last offset delta (so the producer's last sequence
        /// stays), producer fields, leader epoch and codec. With a delete horizon the base timestamp is the horizon
        /// and record timestamp deltas are taken from it (KIP-534), so every record keeps its timestamp.
        /// </summary>
        private byte[] Rebuild(RecordBatchHeader header, ReadOnlySpan<byte> encoded, long horizon)
        {
            var cursor = new RecordCursor(encoded);
            long baseTimestamp = -1, maxTimestamp = -1;
            var index = 0;
            while (!cursor.AtEnd)
            {
                var record = RecordBatchReader.ReadNext(ref cursor);
                if (_keep[index++])
                {
                    var timestamp = header.BaseTimestamp + record.TimestampDelta;
                    baseTimestamp = baseTimestamp < 0 ? timestamp : baseTimestamp;
                    maxTimestamp = Math.Max(maxTimestamp, timestamp);
                }
            }

            if (horizon >= 0)
            {
                baseTimestamp = horizon;
            }

            if (header.IsLogAppendTime)
            {
                maxTimestamp = header.MaxTimestamp;
            }

            _records.ResetWrittenCount();
            cursor = new RecordCursor(encoded);
            index = 0;
            var count = 0;
            while (!cursor.AtEnd)
            {
                var record = RecordBatchReader.ReadNext(ref cursor);
                if (_keep[index++])
                {
                    WriteRecord(_records, record, header.BaseTimestamp + record.TimestampDelta - baseTimestamp);
                    count++;
                }
            }

            var payload = header.Compression == CompressionType.None
                ? _records.WrittenSpan
                : RecordCompression.Compress(header.Compression, _records.WrittenSpan);
            var attributes = (short)((header.Attributes & ~DeleteHorizonFlag) | (horizon >= 0 ? DeleteHorizonFlag : 0));
            var rebuilt = new byte[RecordBatchHeader.Size + payload.Length];
            WriteHeader(rebuilt, header, attributes, baseTimestamp, maxTimestamp, count);
            payload.CopyTo(rebuilt.AsSpan(RecordBatchHeader.RecordsOffset));
            BinaryPrimitives.WriteUInt32BigEndian(rebuilt.AsSpan(RecordBatchHeader.CrcOffset), RecordBatchHeader.ComputeCrc(rebuilt));
            return rebuilt;
        }

        /// <summary>A batch header with no records that keeps the producer fields and the offset range (Kafka's <c>writeEmptyHeader</c>).</summary>
        private static byte[] EmptyBatch(RecordBatchHeader header)
        {
            var empty = new byte[RecordBatchHeader.Size];
            var attributes = (short)(header.Attributes & (RecordBatchHeader.TimestampTypeMask | RecordBatchHeader.TransactionalFlagMask));
            WriteHeader(empty, header, attributes, header.MaxTimestamp, header.MaxTimestamp, 0);
            BinaryPrimitives.WriteUInt32BigEndian(empty.AsSpan(RecordBatchHeader.CrcOffset), RecordBatchHeader.ComputeCrc(empty));
            return empty;
        }

        private static void WriteHeader(Span<byte> span, RecordBatchHeader header, short attributes, long baseTimestamp, long maxTimestamp, int count)
        {
            BinaryPrimitives.WriteInt64BigEndian(span[RecordBatchHeader.BaseOffsetOffset..], header.BaseOffset);
            BinaryPrimitives.WriteInt32BigEndian(span[RecordBatchHeader.LengthOffset..], span.Length - RecordBatchHeader.LogOverhead);
            BinaryPrimitives.WriteInt32BigEndian(span[RecordBatchHeader.PartitionLeaderEpochOffset..], header.PartitionLeaderEpoch);
            span[RecordBatchHeader.MagicOffset] = (byte)RecordBatchHeader.CurrentMagic;
            BinaryPrimitives.WriteInt16BigEndian(span[RecordBatchHeader.AttributesOffset..], attributes);
            BinaryPrimitives.WriteInt32BigEndian(span[RecordBatchHeader.LastOffsetDeltaOffset..], header.LastOffsetDelta);
            BinaryPrimitives.WriteInt64BigEndian(span[RecordBatchHeader.BaseTimestampOffset..], baseTimestamp);
            BinaryPrimitives.WriteInt64BigEndian(span[RecordBatchHeader.MaxTimestampOffset..], maxTimestamp);
            BinaryPrimitives.WriteInt64BigEndian(span[RecordBatchHeader.ProducerIdOffset..], header.ProducerId);
            BinaryPrimitives.WriteInt16BigEndian(span[RecordBatchHeader.ProducerEpochOffset..], header.ProducerEpoch);
            BinaryPrimitives.WriteInt32BigEndian(span[RecordBatchHeader.BaseSequenceOffset..], header.BaseSequence);
            BinaryPrimitives.WriteInt32BigEndian(span[RecordBatchHeader.RecordsCountOffset..], count);
        }

        private static void WriteRecord(ArrayBufferWriter<byte> writer, RawRecord record, long timestampDelta)
        {
            var bodySize = 1 + Varint.SizeOfVarlong(timestampDelta) + Varint.SizeOfVarint(record.OffsetDelta)
                + SizeOfBytes(record.HasKey, record.Key) + SizeOfBytes(record.HasValue, record.Value)
                + Varint.SizeOfVarint(record.HeaderCount) + record.Headers.Length;
            var span = writer.GetSpan(Varint.SizeOfVarint(bodySize) + bodySize);
            var pos = Varint.WriteVarint(span, bodySize);
            span[pos++] = 0;
            pos += Varint.WriteVarlong(span[pos..], timestampDelta);
            pos += Varint.WriteVarint(span[pos..], record.OffsetDelta);
            pos += WriteBytes(span[pos..], record.HasKey, record.Key);
            pos += WriteBytes(span[pos..], record.HasValue, record.Value);
            pos += Varint.WriteVarint(span[pos..], record.HeaderCount);
            record.Headers.CopyTo(span[pos..]);
            writer.Advance(pos + record.Headers.Length);
        }

        private static int SizeOfBytes(bool present, ReadOnlySpan<byte> bytes) =>
            present ? Varint.SizeOfVarint(bytes.Length) + bytes.Length : Varint.SizeOfVarint(-1);

        private static int WriteBytes(Span<byte> destination, bool present, ReadOnlySpan<byte> bytes)
        {
            if (!present)
            {
                return Varint.WriteVarint(destination, -1);
            }

            var written = Varint.WriteVarint(destination, bytes.Length);
            bytes.CopyTo(destination[written..]);
            return written + bytes.Length;
        }

        private static int Write(Stream output, ReadOnlySpan<byte> batch)
        {
            output.Write(batch);
            return batch.Length;
        }

        private static long SaturatingAdd(long a, long b) => b > long.MaxValue - a ? long.MaxValue : a + b;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Cleaned {Log} [{FirstDirtyOffset}, {EndOffset}) at dirty ratio {DirtyRatio:F2}: {SegmentsBefore} segments into {SegmentsAfter}, {ReadMb:F2} MB read, {WrittenMb:F2} MB written, {RecordsRead} records read, {RecordsRemoved} removed ({TombstonesRemoved} tombstones), {DurationMs:F0} ms, {MbPerSecond:F1} MB/s")]
    private static partial void LogCleaned(ILogger logger, string log, long firstDirtyOffset, long endOffset, double dirtyRatio, int segmentsBefore, int segmentsAfter,
        double readMb, double writtenMb, long recordsRead, long recordsRemoved, long tombstonesRemoved, double durationMs, double mbPerSecond);
}
