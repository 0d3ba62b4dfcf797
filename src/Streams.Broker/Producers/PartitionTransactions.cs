namespace Streams.Broker.Producers;

/// <summary>
/// The transactions of one partition: the first offset of each producer's open transaction (which holds back the last
/// stable offset) and the aborted ones (which read_committed fetches hand to clients so they drop those records).
/// Caller holds the partition lock for every change; reads of <see cref="FirstUnstableOffset"/> are lock-free.
/// </summary>
internal sealed class PartitionTransactions
{
    private readonly Dictionary<long, long> _open = [];
    private readonly List<AbortedTransaction> _aborted = [];
    private long _firstUnstable = long.MaxValue;

    /// <summary>The smallest first offset of an open transaction; <see cref="long.MaxValue"/> when none is open.</summary>
    public long FirstUnstableOffset => Volatile.Read(ref _firstUnstable);

    /// <summary>Notes a transactional batch appended at <paramref name="baseOffset"/> (the first one opens the transaction).</summary>
    public void OnTransactionalBatch(long producerId, long baseOffset)
    {
        if (_open.TryAdd(producerId, baseOffset))
        {
            Recompute();
        }
    }

    /// <summary>Closes the producer's transaction at the marker written at <paramref name="markerOffset"/>.</summary>
    public void OnMarker(long producerId, bool commit, long markerOffset)
    {
        if (!_open.Remove(producerId, out var first))
        {
            return;
        }

        if (!commit)
        {
            lock (_aborted)
            {
                _aborted.Add(new AbortedTransaction(producerId, first, markerOffset));
            }
        }

        Recompute();
    }

    /// <summary>Whether the producer has an open transaction here (a marker for it has something to close).</summary>
    public bool IsOpen(long producerId) => _open.ContainsKey(producerId);

    /// <summary>The first offset of the producer's open transaction here, or -1 when none is open.</summary>
    public long FirstOffsetOf(long producerId) => _open.TryGetValue(producerId, out var first) ? first : -1;

    /// <summary>
    /// The aborted transactions whose records may lie in [<paramref name="from"/>, <paramref name="upTo"/>): those
    /// that end at or after <paramref name="from"/> and begin before <paramref name="upTo"/>.
    /// </summary>
    public List<AbortedTransaction> AbortedIn(long from, long upTo)
    {
        lock (_aborted)
        {
            return [.. _aborted.Where(a => a.LastOffset >= from && a.FirstOffset < upTo)];
        }
    }

    /// <summary>Forgets aborted transactions wholly below the log start offset (their records are gone).</summary>
    public void TrimBefore(long logStartOffset)
    {
        lock (_aborted)
        {
            _aborted.RemoveAll(a => a.LastOffset < logStartOffset);
        }
    }

    /// <summary>
    /// Forgets the aborted transactions whose ABORT markers the cleaner removed: a read_committed client told of one
    /// would skip its producer's records until the next ABORT marker, committed ones included.
    /// </summary>
    public void ForgetMarkers(IReadOnlySet<long> markerOffsets)
    {
        lock (_aborted)
        {
            _aborted.RemoveAll(a => markerOffsets.Contains(a.LastOffset));
        }
    }

    private void Recompute() => Volatile.Write(ref _firstUnstable, _open.Count == 0 ? long.MaxValue : _open.Values.Min());
}

/// <summary>An aborted transaction of one partition: its producer, its first record and its ABORT marker.</summary>
internal readonly record struct AbortedTransaction(long ProducerId, long FirstOffset, long LastOffset);
