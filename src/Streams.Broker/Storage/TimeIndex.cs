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
    private readonly AppendOnlyEntries<(long Timestamp, int RelativeOffset)> _entries = new();

    public int Count => _entries.Count;

    /// <summary>Largest timestamp indexed, -1 when empty. Safe for readers.</summary>
    public long LastTimestamp => LastEntry is { } last ? last.Timestamp : -1;

    /// <summary>The entry with the largest timestamp, or null. Safe for readers.</summary>
    public (long Timestamp, int RelativeOffset)? LastEntry
    {
        get
        {
            var entries = _entries.Snapshot();
            return entries.IsEmpty ? null : entries[^1];
        }
    }

    public void MaybeAdd(long timestamp, int relativeOffset)
    {
        if (timestamp <= LastTimestamp)
        {
            return;
        }

        _entries.Add((timestamp, relativeOffset));
    }

    /// <summary>
    /// The relative offset of the first batch that may hold a timestamp at or above <paramref name="timestamp"/>
    /// (the entry before the first one at or above it), or 0.
    /// </summary>
    public int LowerBoundOffset(long timestamp)
    {
        var entries = _entries.Snapshot();
        int lo = 0, hi = entries.Length - 1, result = 0;
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
    public void Clear() => _entries.Reset();

    public void WriteTo(string path)
    {
        var entries = _entries.Snapshot();
        var bytes = new byte[entries.Length * EntrySize];
        for (var i = 0; i < entries.Length; i++)
        {
            BinaryPrimitives.WriteInt64BigEndian(bytes.AsSpan(i * EntrySize), entries[i].Timestamp);
            BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan((i * EntrySize) + 8), entries[i].RelativeOffset);
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

        _entries.Reset(entries, count);
        return null;
    }
}
