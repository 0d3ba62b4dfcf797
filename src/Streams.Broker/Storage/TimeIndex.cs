using System.Buffers.Binary;

namespace Streams.Broker.Storage;

/// <summary>
/// Sparse map from timestamp to offset inside one segment: an entry is added when a batch raises the segment's
/// largest timestamp, so entries are strictly increasing in both columns. Same file policy as <see cref="OffsetIndex"/>.
/// </summary>
internal sealed class TimeIndex
{
    private const int EntrySize = 12;
    private readonly List<(long Timestamp, int RelativeOffset)> _entries = [];

    public long LastTimestamp => _entries.Count == 0 ? -1 : _entries[^1].Timestamp;

    public void MaybeAdd(long timestamp, int relativeOffset)
    {
        if (timestamp > LastTimestamp)
        {
            _entries.Add((timestamp, relativeOffset));
        }
    }

    /// <summary>
    /// The relative offset of the first batch that may hold a timestamp at or above <paramref name="timestamp"/>
    /// (the entry before the first one at or above it), or 0.
    /// </summary>
    public int LowerBoundOffset(long timestamp)
    {
        var result = 0;
        foreach (var (ts, rel) in _entries)
        {
            if (ts >= timestamp)
            {
                break;
            }

            result = rel;
        }

        return result;
    }

    public void Clear() => _entries.Clear();

    public void WriteTo(string path)
    {
        var bytes = new byte[_entries.Count * EntrySize];
        for (var i = 0; i < _entries.Count; i++)
        {
            BinaryPrimitives.WriteInt64BigEndian(bytes.AsSpan(i * EntrySize), _entries[i].Timestamp);
            BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan((i * EntrySize) + 8), _entries[i].RelativeOffset);
        }

        FileUtil.WriteAtomically(path, bytes);
    }
}
