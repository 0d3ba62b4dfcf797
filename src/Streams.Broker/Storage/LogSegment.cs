using System.Buffers;
using Microsoft.Win32.SafeHandles;
using Streams.Broker.Records;

namespace Streams.Broker.Storage;

/// <summary>
/// One segment of a partition log: <c>&lt;baseOffset&gt;.log</c> holding record batches exactly as stored, plus its
/// sparse offset and time indexes. Appends are single-writer (the partition lock); reads may run concurrently and
/// only ever look below <see cref="Size"/>, which is published after the bytes are written.
/// </summary>
internal sealed class LogSegment : IDisposable
{
    // Bytes FindBatch reads at a time while it walks batch headers from an index entry.
    private const int ScanBufferSize = 8192;

    private readonly Lock _handleLock = new();
    private readonly OffsetIndex _offsetIndex = new();
    private readonly TimeIndex _timeIndex = new();
    private SafeFileHandle? _handle;
    private long _lastUsedTicks;
    private bool _closed;
    private long _size;
    private int _bytesSinceIndexEntry;
    private bool _indexesDirty;

    private LogSegment(string directory, long baseOffset, SafeFileHandle handle, long size)
    {
        Directory = directory;
        BaseOffset = baseOffset;
        _handle = handle;
        _size = size;
        NextOffset = baseOffset;
    }

    public string Directory { get; }

    public long BaseOffset { get; }

    /// <summary>Bytes of complete batches in the file.</summary>
    public long Size => Volatile.Read(ref _size);

    /// <summary>One past the last offset stored in this segment (= <see cref="BaseOffset"/> when empty).</summary>
    public long NextOffset { get; private set; }

    /// <summary>Largest record timestamp in the segment, -1 when empty: the time index's last entry.</summary>
    public long LargestTimestamp => _timeIndex.LastTimestamp;

    /// <summary>The largest timestamp and the first offset of the batch holding it, or null when empty (ListOffsets MAX_TIMESTAMP).</summary>
    public (long Timestamp, long BatchBaseOffset)? MaxTimestampBatch =>
        _timeIndex.LastEntry is { } last ? (last.Timestamp, BaseOffset + last.RelativeOffset) : null;

    /// <summary>Whether the file handle is open now (inactive segments release it when idle).</summary>
    public bool HasOpenHandle => Volatile.Read(ref _handle) is { IsClosed: false };

    /// <summary>What made this segment fail its structural check when it was opened without truncation, else null.</summary>
    public string? CorruptionReason { get; private set; }

    /// <summary>When the segment started, for <c>segment.ms</c> rolling: the first batch's max timestamp or, lacking one, the creation time.</summary>
    public long RollingTimestamp { get; private set; } = -1;

    public bool IsEmpty => Size == 0;

    private string OffsetIndexPath => FilePath(Directory, BaseOffset, ".index");

    private string TimeIndexPath => FilePath(Directory, BaseOffset, ".timeindex");

    public static string FilePath(string directory, long baseOffset, string extension) =>
        Path.Combine(directory, baseOffset.ToString("D20", System.Globalization.CultureInfo.InvariantCulture) + extension);

    public static LogSegment Create(string directory, long baseOffset, long nowMs)
    {
        var handle = File.OpenHandle(FilePath(directory, baseOffset, ".log"), FileMode.CreateNew, FileAccess.ReadWrite, FileShare.Read);
        return new LogSegment(directory, baseOffset, handle, 0) { RollingTimestamp = nowMs };
    }

    /// <summary>
    /// Opens an existing segment. When <paramref name="validate"/> is set (the tail segment after an unclean stop),
    /// every batch is checked by CRC and the file is cut at the first torn or corrupt batch; otherwise the batch
    /// headers are walked to restore offsets and, if needed, the indexes.
    /// </summary>
    /// <remarks>
    /// With <paramref name="truncate"/> false (segments below the recovery point, which must never be rewritten)
    /// a structural problem leaves the file as it is: the segment serves the valid prefix and
    /// <see cref="CorruptionReason"/> says what is wrong, so the log can quarantine it.
    /// </remarks>
    public static LogSegment Open(string directory, long baseOffset, bool validate, int indexIntervalBytes, Action<RecordBatchHeader, long>? onBatch, out string? truncationReason, bool truncate = true)
    {
        var path = FilePath(directory, baseOffset, ".log");
        var handle = File.OpenHandle(path, FileMode.Open, FileAccess.ReadWrite, FileShare.Read);
        var segment = new LogSegment(directory, baseOffset, handle, RandomAccess.GetLength(handle));
        try
        {
            segment.Recover(validate, truncate, indexIntervalBytes, onBatch, out truncationReason);
        }
        catch
        {
            segment.Dispose();
            throw;
        }

        return segment;
    }

    /// <summary>
    /// Opens a segment after a clean shutdown without reading every batch: loads <c>.index</c> and
    /// <c>.timeindex</c> (written at roll/close), checks them cheaply, and walks only the batches after the last
    /// offset index entry (at most <c>index.interval.bytes</c> of them) to find the end. Any doubt — a missing or
    /// invalid index file, a torn batch — falls back to the full walk of <see cref="Open"/> without truncation.
    /// Returns why the index files were not used, or null.
    /// </summary>
    public static LogSegment OpenWithIndexes(string directory, long baseOffset, int indexIntervalBytes, out string? indexReason)
    {
        var path = FilePath(directory, baseOffset, ".log");
        var handle = File.OpenHandle(path, FileMode.Open, FileAccess.ReadWrite, FileShare.Read);
        var segment = new LogSegment(directory, baseOffset, handle, RandomAccess.GetLength(handle));
        try
        {
            indexReason = segment.TryLoadIndexes(indexIntervalBytes);
            if (indexReason is not null)
            {
                segment.Recover(validate: false, truncate: false, indexIntervalBytes, null, out _);
            }
        }
        catch
        {
            segment.Dispose();
            throw;
        }

        return segment;
    }

    private string? TryLoadIndexes(int indexIntervalBytes)
    {
        var fileLength = _size;
        if (fileLength == 0)
        {
            // An empty segment has nothing to index; a clean shutdown leaves empty index files for it.
            return null;
        }

        if (_offsetIndex.TryLoad(OffsetIndexPath, fileLength) is { } offsetReason)
        {
            return $"{OffsetIndexPath}: {offsetReason}";
        }

        Span<byte> headerBytes = stackalloc byte[RecordBatchHeader.Size];
        if (fileLength < RecordBatchHeader.Size)
        {
            return "the log is shorter than one batch header";
        }

        RandomAccess.Read(_handle!, headerBytes, 0);
        var first = RecordBatchHeader.Read(headerBytes);
        if (first.Magic != 2 || first.BaseOffset != BaseOffset + _offsetIndex.FirstRelativeOffset || first.TotalSize > fileLength)
        {
            // Cheap spot check of the segment's start; damage further in shows up when a batch is read (its CRC).
            return "the first batch does not match the segment";
        }

        var (lastRelative, position) = _offsetIndex.Last;
        var tail = new List<(RecordBatchHeader Header, long Position)>();
        var expectedOffset = BaseOffset + lastRelative;
        while (position < fileLength)
        {
            if (fileLength - position < RecordBatchHeader.Size)
            {
                return "the last batch is torn";
            }

            RandomAccess.Read(_handle!, headerBytes, position);
            var header = RecordBatchHeader.Read(headerBytes);
            if (header.Magic != 2 || header.Length < RecordBatchHeader.Size - 12 || position + header.TotalSize > fileLength || header.BaseOffset < expectedOffset)
            {
                return $"the batch at position {position} does not follow the index";
            }

            tail.Add((header, position));
            expectedOffset = header.LastOffset + 1;
            position += header.TotalSize;
        }

        if (tail.Count == 0 || tail[0].Header.BaseOffset != BaseOffset + lastRelative)
        {
            return "the last index entry does not point at a batch";
        }

        if (_timeIndex.TryLoad(TimeIndexPath, expectedOffset - BaseOffset) is { } timeReason)
        {
            _offsetIndex.Clear();
            return $"{TimeIndexPath}: {timeReason}";
        }

        RollingTimestamp = first.MaxTimestamp;
        _bytesSinceIndexEntry = 0;
        var entries = (_offsetIndex.Count, _timeIndex.Count);
        foreach (var (header, batchPosition) in tail)
        {
            IndexBatch(header, (int)batchPosition, indexIntervalBytes);
        }

        // Entries the files lacked (index.interval.bytes changed since they were written) are written at the next close.
        _indexesDirty = entries != (_offsetIndex.Count, _timeIndex.Count);
        return null;
    }

    private void Recover(bool validate, bool truncate, int indexIntervalBytes, Action<RecordBatchHeader, long>? onBatch, out string? truncationReason)
    {
        truncationReason = null;
        var fileLength = _size;
        _offsetIndex.Clear();
        _timeIndex.Clear();
        _indexesDirty = true;

        Span<byte> headerBytes = stackalloc byte[RecordBatchHeader.Size];
        long position = 0;
        var expectedOffset = BaseOffset;
        _bytesSinceIndexEntry = 0;
        while (position < fileLength)
        {
            if (fileLength - position < RecordBatchHeader.Size)
            {
                truncationReason = $"{fileLength - position} trailing bytes are shorter than a batch header";
                break;
            }

            RandomAccess.Read(_handle!, headerBytes, position);
            var header = RecordBatchHeader.Read(headerBytes);
            if (header.Magic != 2 || header.Length < RecordBatchHeader.Size - 12 || position + header.TotalSize > fileLength)
            {
                truncationReason = $"batch at position {position} is torn (magic {header.Magic}, length {header.Length}, {fileLength - position} bytes left)";
                break;
            }

            if (header.BaseOffset < expectedOffset)
            {
                truncationReason = $"batch at position {position} has offset {header.BaseOffset}, expected at least {expectedOffset}";
                break;
            }

            if (validate && !HasValidCrc(position, header))
            {
                truncationReason = $"batch at offset {header.BaseOffset} (position {position}) fails its CRC";
                break;
            }

            IndexBatch(header, (int)position, indexIntervalBytes);
            onBatch?.Invoke(header, position);
            expectedOffset = header.LastOffset + 1;
            position += header.TotalSize;
        }

        if (position < fileLength && truncate)
        {
            RandomAccess.SetLength(_handle!, position);
        }
        else if (position < fileLength)
        {
            CorruptionReason = truncationReason;
        }

        _size = position;
    }

    /// <summary>Cuts the file to the valid prefix found when it was opened (the tail segment, after its original was set aside).</summary>
    public void TruncateToValidPrefix()
    {
        RandomAccess.SetLength(Handle, _size);
        CorruptionReason = null;
    }

    private bool HasValidCrc(long position, RecordBatchHeader header)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(header.TotalSize);
        try
        {
            var span = buffer.AsSpan(0, header.TotalSize);
            RandomAccess.Read(_handle!, span, position);
            return RecordBatchHeader.ComputeCrc(span) == header.Crc;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private void IndexBatch(RecordBatchHeader header, int position, int indexIntervalBytes)
    {
        if (RollingTimestamp < 0 || position == 0)
        {
            RollingTimestamp = header.MaxTimestamp;
        }

        if (_offsetIndex.Count == 0 || _bytesSinceIndexEntry >= indexIntervalBytes)
        {
            _offsetIndex.Add((int)(header.BaseOffset - BaseOffset), position);
            _bytesSinceIndexEntry = 0;
        }

        _bytesSinceIndexEntry += header.TotalSize;
        _timeIndex.MaybeAdd(header.MaxTimestamp, (int)(header.BaseOffset - BaseOffset));
        NextOffset = header.LastOffset + 1;
    }

    /// <summary>Appends one batch whose base offset has already been assigned. The caller holds the partition lock.</summary>
    public void Append(ReadOnlySpan<byte> batch, RecordBatchHeader header, int indexIntervalBytes)
    {
        var position = _size;
        RandomAccess.Write(Handle, batch, position);
        IndexBatch(header, (int)position, indexIntervalBytes);
        _indexesDirty = true;
        Volatile.Write(ref _size, position + batch.Length);
    }

    public int Read(long position, Span<byte> destination)
    {
        while (true)
        {
            try
            {
                return RandomAccess.Read(Handle, destination, position);
            }
            catch (ObjectDisposedException) when (!Volatile.Read(ref _closed))
            {
                // The handle was released for idleness between taking it and reading: open it again.
            }
        }
    }

    public RecordBatchHeader ReadHeader(long position)
    {
        Span<byte> bytes = stackalloc byte[RecordBatchHeader.Size];
        Read(position, bytes);
        return RecordBatchHeader.Read(bytes);
    }

    /// <summary>
    /// The file handle, opened again on first use after <see cref="ReleaseHandleIfIdle"/> closed it. Inactive
    /// segments are only read, so thousands of partitions with many segments each hold handles only for the
    /// segments being read, not for every file on disk.
    /// </summary>
    private SafeFileHandle Handle
    {
        get
        {
            Volatile.Write(ref _lastUsedTicks, Environment.TickCount64);
            var handle = Volatile.Read(ref _handle);
            if (handle is { IsClosed: false })
            {
                return handle;
            }

            lock (_handleLock)
            {
                ObjectDisposedException.ThrowIf(_closed, this);
                handle = _handle;
                if (handle is not { IsClosed: false })
                {
                    handle = File.OpenHandle(FilePath(Directory, BaseOffset, ".log"), FileMode.Open, FileAccess.ReadWrite, FileShare.Read);
                    Volatile.Write(ref _handle, handle);
                }

                return handle;
            }
        }
    }

    /// <summary>
    /// Closes the file handle when the segment has not been used for <paramref name="idleMs"/>; the next read opens
    /// it again. Only for segments that no longer take appends (their data and indexes are already on disk).
    /// A read racing with the close sees <see cref="ObjectDisposedException"/> and retries with a new handle.
    /// </summary>
    public bool ReleaseHandleIfIdle(long idleMs)
    {
        if (Environment.TickCount64 - Volatile.Read(ref _lastUsedTicks) < idleMs)
        {
            return false;
        }

        lock (_handleLock)
        {
            var handle = _handle;
            if (handle is not { IsClosed: false })
            {
                return false;
            }

            Volatile.Write(ref _handle, null);
            handle.Dispose();
            return true;
        }
    }

    /// <summary>Position and header of the batch holding <paramref name="offset"/> (or the first batch after it), or null when none.</summary>
    public (long Position, RecordBatchHeader Header)? FindBatch(long offset, long sizeLimit)
    {
        long position = _offsetIndex.FloorPosition((int)Math.Clamp(offset - BaseOffset, 0, int.MaxValue));
        // The index entry is up to index.interval.bytes before the batch, and at low rates that span holds dozens of
        // one-record batches: their headers come from a few 8 KB reads, not one read each. A read per header was a
        // third of the broker's CPU with a dozen clients tailing topics at 1,000 events/s (every fetch walks it).
        Span<byte> buffer = stackalloc byte[ScanBufferSize];
        long bufferStart = 0;
        var buffered = 0;
        while (position + RecordBatchHeader.Size <= sizeLimit)
        {
            if (position < bufferStart || position + RecordBatchHeader.Size > bufferStart + buffered)
            {
                bufferStart = position;
                buffered = Read(position, buffer[..(int)Math.Min(buffer.Length, sizeLimit - position)]);
                if (buffered < RecordBatchHeader.Size)
                {
                    return null;
                }
            }

            var header = RecordBatchHeader.Read(buffer.Slice((int)(position - bufferStart), RecordBatchHeader.Size));
            if (header.LastOffset >= offset)
            {
                return (position, header);
            }

            if (header.TotalSize < RecordBatchHeader.Size)
            {
                return null; // not a batch (appends are validated, recovery truncates torn tails): never loop on it
            }

            position += header.TotalSize;
        }

        return null;
    }

    /// <summary>First batch that may hold a record with timestamp ≥ <paramref name="timestamp"/>, walking forward from the time index.</summary>
    public IEnumerable<(long Position, RecordBatchHeader Header)> BatchesFromTimestamp(long timestamp, long sizeLimit)
    {
        var startOffset = BaseOffset + _timeIndex.LowerBoundOffset(timestamp);
        var start = FindBatch(startOffset, sizeLimit);
        if (start is null)
        {
            yield break;
        }

        var position = start.Value.Position;
        while (position + RecordBatchHeader.Size <= sizeLimit)
        {
            var header = ReadHeader(position);
            yield return (position, header);
            position += header.TotalSize;
        }
    }

    public IEnumerable<(long Position, RecordBatchHeader Header)> Batches(long sizeLimit)
    {
        long position = 0;
        while (position + RecordBatchHeader.Size <= sizeLimit)
        {
            var header = ReadHeader(position);
            yield return (position, header);
            position += header.TotalSize;
        }
    }

    public void Flush()
    {
        if (Volatile.Read(ref _handle) is { IsClosed: false } handle)
        {
            // A released handle means nothing was written since the last fsync.
            RandomAccess.FlushToDisk(handle);
        }
    }

    /// <summary>Fsyncs the data and persists the indexes; called when the segment stops being active and on shutdown.</summary>
    public void FlushWithIndexes()
    {
        Flush();
        if (_indexesDirty)
        {
            _offsetIndex.WriteTo(OffsetIndexPath);
            _timeIndex.WriteTo(TimeIndexPath);
            _indexesDirty = false;
        }
    }

    /// <summary>Closes the segment for good: later reads fail instead of opening the file again.</summary>
    public void Dispose()
    {
        lock (_handleLock)
        {
            Volatile.Write(ref _closed, true);
            _handle?.Dispose();
        }
    }

    public void Delete()
    {
        Dispose();
        foreach (var extension in new[] { ".log", ".index", ".timeindex" })
        {
            File.Delete(FilePath(Directory, BaseOffset, extension));
        }
    }
}
