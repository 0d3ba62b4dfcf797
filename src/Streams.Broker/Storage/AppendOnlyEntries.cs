namespace Streams.Broker.Storage;

/// <summary>
/// The entries of an index, appended by one writer (the partition lock) and read without a lock. Entries never change
/// once written: the writer fills the slot, publishes the (possibly grown) array, then the count; a reader reads the
/// count first and the array second, so every entry below the count it saw is in the array it holds and complete. A
/// grown array is a copy, so a reader still holding the old one sees a stable prefix.
/// </summary>
internal sealed class AppendOnlyEntries<T>
    where T : struct
{
    private T[] _entries = new T[8];
    private int _count;

    public int Count => Volatile.Read(ref _count);

    /// <summary>The entries published so far: a stable view for readers on any thread.</summary>
    public ReadOnlySpan<T> Snapshot()
    {
        var count = Volatile.Read(ref _count);
        return Volatile.Read(ref _entries).AsSpan(0, count);
    }

    /// <summary>Writer side only.</summary>
    public void Add(T entry)
    {
        var entries = _entries;
        if (_count == entries.Length)
        {
            Array.Resize(ref entries, entries.Length * 2);
        }

        entries[_count] = entry;
        Volatile.Write(ref _entries, entries);
        Volatile.Write(ref _count, _count + 1);
    }

    /// <summary>Replaces every entry; only before the segment is published (recovery, loading an index file).</summary>
    public void Reset(T[]? entries = null, int count = 0)
    {
        _entries = entries ?? new T[8];
        _count = count;
    }
}
