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
    private readonly SafeFileHandle _handle;
    private readonly OffsetIndex _offsetIndex = new();
    private readonly TimeIndex _timeIndex = new();
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

    /// <summary>Largest record timestamp in the segment, -1 when empty.</summary>
    public long LargestTimestamp { get; private set; } = -1;

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
    public static LogSegment Open(string directory, long baseOffset, bool validate, int indexIntervalBytes, Action<RecordBatchHeader, long>? onBatch, out string? truncationReason)
    {
        var path = FilePath(directory, baseOffset, ".log");
        var handle = File.OpenHandle(path, FileMode.Open, FileAccess.ReadWrite, FileShare.Read);
        var segment = new LogSegment(directory, baseOffset, handle, RandomAccess.GetLength(handle));
        segment.Recover(validate, indexIntervalBytes, onBatch, out truncationReason);
        return segment;
    }

    private void Recover(bool validate, int indexIntervalBytes, Action<RecordBatchHeader, long>? onBatch, out string? truncationReason)
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

            RandomAccess.Read(_handle, headerBytes, position);
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

        if (position < fileLength)
        {
            RandomAccess.SetLength(_handle, position);
        }

        _size = position;
    }

    private bool HasValidCrc(long position, RecordBatchHeader header)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(header.TotalSize);
        try
        {
            var span = buffer.AsSpan(0, header.TotalSize);
            RandomAccess.Read(_handle, span, position);
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
        LargestTimestamp = Math.Max(LargestTimestamp, header.MaxTimestamp);
        NextOffset = header.LastOffset + 1;
    }

    /// <summary>Appends one batch whose base offset has already been assigned. The caller holds the partition lock.</summary>
    public void Append(ReadOnlySpan<byte> batch, RecordBatchHeader header, int indexIntervalBytes)
    {
        var position = _size;
        RandomAccess.Write(_handle, batch, position);
        IndexBatch(header, (int)position, indexIntervalBytes);
        _indexesDirty = true;
        Volatile.Write(ref _size, position + batch.Length);
    }

    public int Read(long position, Span<byte> destination) => RandomAccess.Read(_handle, destination, position);

    public RecordBatchHeader ReadHeader(long position)
    {
        Span<byte> bytes = stackalloc byte[RecordBatchHeader.Size];
        RandomAccess.Read(_handle, bytes, position);
        return RecordBatchHeader.Read(bytes);
    }

    /// <summary>Position and header of the batch holding <paramref name="offset"/> (or the first batch after it), or null when none.</summary>
    public (long Position, RecordBatchHeader Header)? FindBatch(long offset, long sizeLimit)
    {
        long position = _offsetIndex.FloorPosition((int)Math.Clamp(offset - BaseOffset, 0, int.MaxValue));
        while (position + RecordBatchHeader.Size <= sizeLimit)
        {
            var header = ReadHeader(position);
            if (header.LastOffset >= offset)
            {
                return (position, header);
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
        RandomAccess.FlushToDisk(_handle);
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

    public void Dispose() => _handle.Dispose();

    public void Delete()
    {
        Dispose();
        foreach (var extension in new[] { ".log", ".index", ".timeindex" })
        {
            File.Delete(FilePath(Directory, BaseOffset, extension));
        }
    }
}
