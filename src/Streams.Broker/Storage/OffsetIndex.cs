using System.Buffers.Binary;

namespace Streams.Broker.Storage;

/// <summary>
/// Sparse map from offset to byte position inside one segment, one entry every <c>index.interval.bytes</c>.
/// Written to <c>.index</c> when the segment is rolled or closed and loaded from there after a clean shutdown;
/// rebuilt from the batch headers when the file is missing or fails its checks, and after an unclean stop.
/// </summary>
/// <remarks>
/// One writer (the partition lock) appends while fetches and ListOffsets read without a lock. Entries are never
/// changed once written: the writer fills the slot, publishes the (possibly grown) array, then the count; a
/// reader reads the count first and the array second, so every entry below the count it saw is in the array it
/// holds and complete. A grown array is a copy, so a reader still holding the old one sees a stable prefix.
/// </remarks>
internal sealed class OffsetIndex
{
    public const int EntrySize = 8;
    private (int RelativeOffset, int Position)[] _entries = new (int, int)[8];
    private int _count;

    public int Count => Volatile.Read(ref _count);

    /// <summary>The last entry, or (0, 0) when empty. Writer side only.</summary>
    public (int RelativeOffset, int Position) Last => _count == 0 ? (0, 0) : _entries[_count - 1];

    /// <summary>The first entry's relative offset, 0 when empty. Writer side only.</summary>
    public int FirstRelativeOffset => _count == 0 ? 0 : _entries[0].RelativeOffset;

    public void Add(int relativeOffset, int position)
    {
        var entries = _entries;
        if (_count == entries.Length)
        {
            Array.Resize(ref entries, entries.Length * 2);
        }

        entries[_count] = (relativeOffset, position);
        Volatile.Write(ref _entries, entries);
        Volatile.Write(ref _count, _count + 1);
    }

    /// <summary>Position of the last indexed batch whose first offset is at or below <paramref name="relativeOffset"/>, or 0.</summary>
    public int FloorPosition(int relativeOffset)
    {
        var count = Volatile.Read(ref _count);
        var entries = Volatile.Read(ref _entries);
        int lo = 0, hi = count - 1, found = 0;
        while (lo <= hi)
        {
            var mid = (lo + hi) >>> 1;
            if (entries[mid].RelativeOffset <= relativeOffset)
            {
                found = entries[mid].Position;
                lo = mid + 1;
            }
            else
            {
                hi = mid - 1;
            }
        }

        return found;
    }

    /// <summary>Only before the segment is published (recovery); readers never see a cleared index.</summary>
    public void Clear()
    {
        _entries = new (int, int)[8];
        _count = 0;
    }

    public void WriteTo(string path)
    {
        var count = _count;
        var bytes = new byte[count * EntrySize];
        for (var i = 0; i < count; i++)
        {
            BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(i * EntrySize), _entries[i].RelativeOffset);
            BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan((i * EntrySize) + 4), _entries[i].Position);
        }

        FileUtil.WriteAtomically(path, bytes);
    }

    /// <summary>
    /// Loads <c>.index</c> if it passes cheap checks: whole entries, relative offsets and positions strictly
    /// increasing, the first entry at position 0, every position inside the <paramref name="logSize"/> bytes of
    /// the log. Returns the reason it was refused, or null when loaded.
    /// </summary>
    public string? TryLoad(string path, long logSize)
    {
        if (!File.Exists(path))
        {
            return "it is missing";
        }

        var bytes = File.ReadAllBytes(path);
        if (bytes.Length % EntrySize != 0)
        {
            return $"its size {bytes.Length} is not a multiple of {EntrySize}";
        }

        var count = bytes.Length / EntrySize;
        if (count == 0 && logSize > 0)
        {
            return "it is empty but the log is not";
        }

        var entries = new (int RelativeOffset, int Position)[Math.Max(8, count)];
        for (var i = 0; i < count; i++)
        {
            var relative = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(i * EntrySize));
            var position = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan((i * EntrySize) + 4));
            var previous = i == 0 ? (RelativeOffset: -1, Position: -1) : entries[i - 1];
            if ((i == 0 && position != 0) || relative <= previous.RelativeOffset || position <= previous.Position || position >= logSize)
            {
                return $"entry {i} ({relative}, {position}) is out of order or beyond the log's {logSize} bytes";
            }

            entries[i] = (relative, position);
        }

        _entries = entries;
        _count = count;
        return null;
    }
}
