using Streams.Broker.Records;

namespace Streams.Broker.Storage.Cleaner;

/// <summary>
/// What the cleaner needs to know about producers before it cleans, from one header walk of the whole log:
/// the base offset of each producer's last data batch (kept, empty if need be, for the producer state rebuilt on
/// start) and the base offsets of the batches of aborted transactions (their records go, and never enter the map).
/// </summary>
internal sealed class ProducerBatches
{
    private ProducerBatches(HashSet<long> lastOfProducer, HashSet<long> aborted)
    {
        LastOfProducer = lastOfProducer;
        Aborted = aborted;
    }

    /// <summary>Base offsets of every producer's last data batch anywhere in the log (active segment included).</summary>
    public HashSet<long> LastOfProducer { get; }

    /// <summary>Base offsets of the data batches of transactions that ended with an ABORT marker.</summary>
    public HashSet<long> Aborted { get; }

    public static ProducerBatches Scan(LogSegment[] segments)
    {
        var last = new Dictionary<long, long>();
        var open = new Dictionary<long, List<long>>();
        var aborted = new HashSet<long>();
        foreach (var segment in segments)
        {
            foreach (var (position, header) in segment.Batches(segment.Size))
            {
                if (!header.HasProducerId)
                {
                    continue;
                }

                if (!header.IsControl)
                {
                    last[header.ProducerId] = header.BaseOffset;
                    if (header.IsTransactional)
                    {
                        if (!open.TryGetValue(header.ProducerId, out var batches))
                        {
                            open[header.ProducerId] = batches = [];
                        }

                        batches.Add(header.BaseOffset);
                    }

                    continue;
                }

                if (header.IsTransactional && open.Remove(header.ProducerId, out var ended) && Partition.ReadControlType(segment, position, header) == false)
                {
                    aborted.UnionWith(ended);
                }
            }
        }

        return new ProducerBatches([.. last.Values], aborted);
    }
}

/// <summary>
/// Follows each producer's transaction through a cleaning, oldest batch first, to tell whether any of its batches
/// survived when its marker comes (Kafka's cleaner keeps the same per-producer account).
/// </summary>
internal sealed class TransactionTracker
{
    private readonly Dictionary<long, bool> _retained = [];

    /// <summary>A data batch was kept (<paramref name="retained"/>) or dropped.</summary>
    public void OnData(RecordBatchHeader header, bool retained)
    {
        if (header.IsTransactional && !header.IsControl)
        {
            _retained[header.ProducerId] = retained || _retained.GetValueOrDefault(header.ProducerId);
        }
    }

    /// <summary>The producer's marker: whether any batch of the transaction it ends is still in the log.</summary>
    public bool OnMarker(long producerId) => _retained.Remove(producerId, out var retained) && retained;
}
