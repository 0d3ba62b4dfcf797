namespace Streams.Broker.Storage;

/// <summary>The partition's side of compaction: the cleaner swaps segments under the same lock as appends and retention.</summary>
internal sealed partial class Partition
{
    internal Configs.TopicConfig Config => _topic.Config;

    /// <summary>Runs <paramref name="action"/> under the partition lock.</summary>
    internal T UnderLock<T>(Func<T> action)
    {
        lock (_lock)
        {
            return action();
        }
    }

    /// <summary>After a swap (partition lock held): the transaction markers at these offsets are gone from the log.</summary>
    internal void OnMarkersRemoved(IReadOnlySet<long> markerOffsets) => _transactions.ForgetMarkers(markerOffsets);
}
