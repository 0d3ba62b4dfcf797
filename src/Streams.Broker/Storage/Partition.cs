using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;
using Streams.Broker.Configs;
using Streams.Broker.Producers;
using Streams.Broker.Protocol;
using Streams.Broker.Records;

namespace Streams.Broker.Storage;

/// <summary>
/// One partition as the request handlers see it: validation, idempotence checks and appends under one lock,
/// lock-free reads, and a signal that wakes long-polling fetches as soon as data arrives.
/// </summary>
internal sealed partial class Partition : IDisposable
{
    private readonly Lock _lock = new();
    private readonly Topic _topic;
    private readonly TimeProvider _time;
    private readonly ProducerStateManager _producers = new();
    private TaskCompletionSource _dataArrived = NewSignal();

    public Partition(Topic topic, int index, string directory, ILogger logger, TimeProvider time)
    {
        _topic = topic;
        Index = index;
        _time = time;
        var snapshot = Path.Combine(directory, ProducerSnapshotFile);
        Log = Log.Open(
            directory,
            topic.Config,
            logger,
            time,
            batch => _producers.Update(batch, time.GetUtcNow().ToUnixTimeMilliseconds()),
            offset => _producers.TryLoadSnapshot(offset is { } o ? RollSnapshotPath(directory, o) : snapshot),
            offset => WriteRollSnapshot(directory, offset));

        // Only a clean shutdown writes it, and only with the clean marker does it describe the log: remove it so a
        // crash later cannot pair a stale snapshot with a newer log.
        File.Delete(snapshot);
    }

    /// <summary>Producer state as of a clean shutdown, so the next start need not replay every batch.</summary>
    private const string ProducerSnapshotFile = "producer-state.snapshot";

    private const string RollSnapshotExtension = ".producer-snapshot";

    private static string RollSnapshotPath(string directory, long offset) => LogSegment.FilePath(directory, offset, RollSnapshotExtension);

    /// <summary>
    /// At each roll (partition lock held): producer state as of the new segment's base offset, so recovery after a
    /// crash replays only the segments from there. The two newest are kept (the newest segment may be the one cut
    /// or quarantined by recovery).
    /// </summary>
    private void WriteRollSnapshot(string directory, long offset)
    {
        _producers.WriteSnapshot(RollSnapshotPath(directory, offset));
        foreach (var old in System.IO.Directory.GetFiles(directory, "*" + RollSnapshotExtension).Order(StringComparer.Ordinal).SkipLast(2))
        {
            File.Delete(old);
        }
    }

    public int Index { get; }

    public string TopicName => _topic.Name;

    public Log Log { get; }

    public long HighWatermark => Log.LogEndOffset;

    /// <summary>With no transactions yet, nothing is ever pending, so the last stable offset is the high watermark.</summary>
    public long LastStableOffset => Log.LogEndOffset;

    public long LogStartOffset => Log.LogStartOffset;

    /// <summary>Completes at the next append; grab it before reading so no append is missed.</summary>
    public Task DataArrived => Volatile.Read(ref _dataArrived).Task;

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>
    /// Validates and appends the single batch of a produce request. The batch bytes are rewritten in place (base
    /// offset, leader epoch, LogAppendTime), so <paramref name="records"/> must be a buffer the caller owns.
    /// </summary>
    public AppendResult Append(ReadOnlyMemory<byte> records, bool allowZstd)
    {
        var config = _topic.Config;
        var validation = RecordBatchValidator.Validate(records.Span, new BatchValidationOptions(config.MaxMessageBytes, config.Compact, allowZstd));
        if (validation.Error != ErrorCode.None)
        {
            return AppendResult.Failed(validation.Error, validation.Message);
        }

        if (validation.Header.IsTransactional)
        {
            // Without a transaction coordinator nothing could ever commit or abort it, and it would pin the LSO.
            return AppendResult.Failed(ErrorCode.InvalidTxnState, "Transactional batches are not supported by this broker yet");
        }

        var batch = MemoryMarshal.AsMemory(records).Span;
        long appendTime;
        RecordBatchHeader header;
        lock (_lock)
        {
            header = validation.Header;
            var check = _producers.Check(header);
            if (check.Error != ErrorCode.None)
            {
                return AppendResult.Failed(check.Error, check.Message);
            }

            if (check.DuplicateOf is { } original)
            {
                return new AppendResult(ErrorCode.None, null, original.FirstOffset, config.LogAppendTime ? original.Timestamp : -1, Log.LogStartOffset);
            }

            appendTime = _time.GetUtcNow().ToUnixTimeMilliseconds();
            RecordBatchHeader.SetBaseOffset(batch, Log.LogEndOffset);
            RecordBatchHeader.SetPartitionLeaderEpoch(batch, 0);
            if (config.LogAppendTime)
            {
                RecordBatchHeader.SetLogAppendTime(batch, appendTime);
            }

            header = RecordBatchHeader.Read(batch);
            Log.Append(batch, header, config);
            _producers.Update(header, appendTime);
        }

        Interlocked.Exchange(ref _dataArrived, NewSignal()).TrySetResult();
        return new AppendResult(ErrorCode.None, null, header.BaseOffset, config.LogAppendTime ? appendTime : -1, Log.LogStartOffset);
    }

    /// <summary>DeleteRecords: moves the log start offset up to <paramref name="offset"/> (-1 = high watermark).</summary>
    public (ErrorCode Error, long LowWatermark) DeleteRecordsBefore(long offset)
    {
        lock (_lock)
        {
            var target = offset == -1 ? HighWatermark : offset;
            if (target < 0 || target > HighWatermark)
            {
                return (ErrorCode.OffsetOutOfRange, -1);
            }

            Log.AdvanceLogStartOffset(target);
            return (ErrorCode.None, Log.LogStartOffset);
        }
    }

    /// <summary>ListOffsets' special timestamps.</summary>
    public const long ListOffsetsLatest = -1;

    public const long ListOffsetsEarliest = -2;

    public const long ListOffsetsMaxTimestamp = -3;

    /// <summary>
    /// ListOffsets' lookup (Kafka's fetchOffsetForTimestamp): -1 latest (the LSO, as read_committed needs),
    /// -2 earliest, -3 the record with the largest timestamp, otherwise the first record whose timestamp is at or
    /// after <paramref name="timestamp"/>. Timestamp and offset are -1 when no record qualifies.
    /// </summary>
    public (ErrorCode Error, long Timestamp, long Offset) FetchOffsetForTimestamp(long timestamp)
    {
        switch (timestamp)
        {
            case ListOffsetsLatest:
                return (ErrorCode.None, -1, LastStableOffset);
            case ListOffsetsEarliest:
                return (ErrorCode.None, -1, LogStartOffset);
            case ListOffsetsMaxTimestamp:
                return Log.FetchMaxTimestampOffset() is { } max ? (ErrorCode.None, max.Timestamp, max.Offset) : (ErrorCode.None, -1, -1);
            case < 0:
                return (ErrorCode.InvalidRequest, -1, -1);
            default:
                return Log.FetchOffsetByTimestamp(timestamp) is { } found ? (ErrorCode.None, found.Timestamp, found.Offset) : (ErrorCode.None, -1, -1);
        }
    }

    /// <summary>Background upkeep: retention, <c>flush.ms</c>, producer expiry. Returns segments whose files can go.</summary>
    public IReadOnlyList<LogSegment> Maintain(bool applyRetention, long producerExpirationMs)
    {
        var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        var config = _topic.Config;
        lock (_lock)
        {
            Log.FlushIfDue(config, now);
            if (!applyRetention)
            {
                return [];
            }

            _producers.ExpireIdle(now, producerExpirationMs);
            return Log.ApplyRetention(config, now);
        }
    }

    /// <summary>Closes handles of rolled segments idle for <paramref name="idleMs"/>.</summary>
    public int ReleaseIdleHandles(long idleMs) => Log.ReleaseIdleHandles(idleMs);

    public void Close()
    {
        lock (_lock)
        {
            // Before the log's clean marker: a snapshot is only trusted next to one.
            _producers.WriteSnapshot(Path.Combine(Log.Directory, ProducerSnapshotFile));
            Log.Close();
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            Log.Dispose();
        }
    }
}

/// <summary>Outcome of appending one partition's batch.</summary>
internal readonly record struct AppendResult(ErrorCode Error, string? Message, long BaseOffset, long LogAppendTime, long LogStartOffset)
{
    public static AppendResult Failed(ErrorCode error, string? message) => new(error, message, -1, -1, -1);
}
