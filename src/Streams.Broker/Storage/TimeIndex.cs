using System.Buffers.Binary;

namespace Streams.Broker.Storage;

/// <summary>
/// Map from timestamp to offset inside one segment: an entry is added when a batch raises the segment's largest
/// timestamp, so entries are strictly increasing in both columns and the last one is the segment's max timestamp
/// and the batch holding it (what ListOffsets MAX_TIMESTAMP needs, without a scan). Same file and concurrency
/// policy as <see cref="OffsetIndex"/>: append-only array, count published last.
/// </summary>
internal sealed class TimeIndex
{
    public const int EntrySize = 12;
    private (long Timestamp, int RelativeOffset)[] _entries = new (long, int)[8];
    private int _count;

    public int Count => Volatile.Read(ref _count);

    /// <summary>Largest timestamp indexed, -1 when empty. Safe for readers.</summary>
    public long LastTimestamp => LastEntry is { } last ? last.Timestamp : -1;

    /// <summary>The entry with the largest timestamp, or null. Safe for readers.</summary>
    public (long Timestamp, int RelativeOffset)? LastEntry
    {
        get
        {
            var count = Volatile.Read(ref _count);
            return count == 0 ? null : Volatile.Read(ref _entries)[count - 1];
        }
    }

    public void MaybeAdd(long timestamp, int relativeOffset)
    {
        if (_count > 0 && timestamp <= _entries[_count - 1].Timestamp)
        {
            return;
        }

        var entries = _entries;
        if (_count == entries.Length)
        {
            Array.Resize(ref entries, entries.Length * 2);
        }

        entries[_count] = (timestamp, relativeOffset);
        Volatile.Write(ref _entries, entries);
        Volatile.Write(ref _count, _count + 1);
    }

    /// <summary>
    /// The relative offset of the first batch that may hold a timestamp at or above <paramref name="timestamp"/>
    /// (the entry before the first one at or above it), or 0.
    /// </summary>
    public int LowerBoundOffset(long timestamp)
    {
        var count = Volatile.Read(ref _count);
        var entries = Volatile.Read(ref _entries);
        int lo = 0, hi = count - 1, result = 0;
        while (lo <= hi)
        {
            var mid = (lo + hi) >>> 1;
            if (entries[mid].Timestamp < timestamp)
            {
                result = entries[mid].RelativeOffset;
                lo = mid + 1;
            }
            else
            {
                hi = mid - 1;
            }
        }

        return result;
    }

    /// <summary>Only before the segment is published (recovery).</summary>
    public void Clear()
    {
        _entries = new (long, int)[8];
        _count = 0;
    }

    public void WriteTo(string path)
    {
        var count = _count;
        var bytes = new byte[count * EntrySize];
        for (var i = 0; i < count; i++)
        {
            BinaryPrimitives.WriteInt64BigEndian(bytes.AsSpan(i * EntrySize), _entries[i].Timestamp);
            BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan((i * EntrySize) + 8), _entries[i].RelativeOffset);
        }

        FileUtil.WriteAtomically(path, bytes);
    }

    /// <summary>
    /// Loads <c>.timeindex</c> if it passes cheap checks: whole entries, both columns strictly increasing, offsets
    /// below <paramref name="relativeEnd"/> (one past the segment's last relative offset). Returns why it was refused, or null.
    /// </summary>
    public string? TryLoad(string path, long relativeEnd)
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
        var entries = new (long, int)[Math.Max(8, count)];
        for (var i = 0; i < count; i++)
        {
            var timestamp = BinaryPrimitives.ReadInt64BigEndian(bytes.AsSpan(i * EntrySize));
            var relative = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan((i * EntrySize) + 8));
            if (i > 0 && (timestamp <= entries[i - 1].Item1 || relative <= entries[i - 1].Item2) || relative < 0 || relative >= relativeEnd)
            {
                return $"entry {i} ({timestamp}, {relative}) is out of order or beyond the segment";
            }

            entries[i] = (timestamp, relative);
        }

        _entries = entries;
        _count = count;
        return null;
    }
}
