using System.Buffers.Binary;

namespace Streams.Broker.Storage;

/// <summary>
/// Sparse map from offset to byte position inside one segment, one entry every <c>index.interval.bytes</c>.
/// Kept in memory, rebuilt from the batch headers whenever the segment is opened (the same walk restores the
/// log end offset and the producer state), and written to <c>.index</c> when the segment is closed for tools.
/// </summary>
internal sealed class OffsetIndex
{
    private const int EntrySize = 8;
    private readonly List<(int RelativeOffset, int Position)> _entries = [];

    public int Count => _entries.Count;

    public void Add(int relativeOffset, int position) => _entries.Add((relativeOffset, position));

    /// <summary>Position of the last indexed batch whose first offset is at or below <paramref name="relativeOffset"/>, or 0.</summary>
    public int FloorPosition(int relativeOffset)
    {
        int lo = 0, hi = _entries.Count - 1, found = 0;
        while (lo <= hi)
        {
            var mid = (lo + hi) >>> 1;
            if (_entries[mid].RelativeOffset <= relativeOffset)
            {
                found = _entries[mid].Position;
                lo = mid + 1;
            }
            else
            {
                hi = mid - 1;
            }
        }

        return found;
    }

    public void Clear() => _entries.Clear();

    public void WriteTo(string path)
    {
        var bytes = new byte[_entries.Count * EntrySize];
        for (var i = 0; i < _entries.Count; i++)
        {
            BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(i * EntrySize), _entries[i].RelativeOffset);
            BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan((i * EntrySize) + 4), _entries[i].Position);
        }

        FileUtil.WriteAtomically(path, bytes);
    }
}
