using System.Buffers.Binary;

namespace Streams.Broker.Storage;

/// <summary>
/// Sparse map from offset to byte position inside one segment, one entry every <c>index.interval.bytes</c>.
/// Written to <c>.index</c> when the segment is rolled or closed and loaded from there after a clean shutdown;
/// rebuilt from the batch headers when the file is missing or fails its checks, and after an unclean stop.
/// </summary>
/// <remarks>One writer (the partition lock) appends while fetches and ListOffsets read without a lock (<see cref="AppendOnlyEntries{T}"/>).</remarks>
internal sealed class OffsetIndex
{
    public const int EntrySize = 8;
    private readonly AppendOnlyEntries<(int RelativeOffset, int Position)> _entries = new();

    public int Count => _entries.Count;

    /// <summary>The last entry, or (0, 0) when empty.</summary>
    public (int RelativeOffset, int Position) Last => _entries.Snapshot() is { Length: > 0 } entries ? entries[^1] : (0, 0);

    /// <summary>The first entry's relative offset, 0 when empty.</summary>
    public int FirstRelativeOffset => _entries.Snapshot() is { Length: > 0 } entries ? entries[0].RelativeOffset : 0;

    public void Add(int relativeOffset, int position) => _entries.Add((relativeOffset, position));

    /// <summary>Position of the last indexed batch whose first offset is at or below <paramref name="relativeOffset"/>, or 0.</summary>
    public int FloorPosition(int relativeOffset)
    {
        var entries = _entries.Snapshot();
        int lo = 0, hi = entries.Length - 1, found = 0;
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
    public void Clear() => _entries.Reset();

    public void WriteTo(string path)
    {
        var entries = _entries.Snapshot();
        var bytes = new byte[entries.Length * EntrySize];
        for (var i = 0; i < entries.Length; i++)
        {
            BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(i * EntrySize), entries[i].RelativeOffset);
            BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan((i * EntrySize) + 4), entries[i].Position);
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

        _entries.Reset(entries, count);
        return null;
    }
}
