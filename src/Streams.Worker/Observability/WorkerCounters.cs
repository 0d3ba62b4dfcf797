using System.Collections.Concurrent;

namespace Streams.Worker.Observability;

/// <summary>Counts for the worker's live summary line.</summary>
public sealed class WorkerCounters
{
    private readonly ConcurrentDictionary<string, long> _published = new(StringComparer.Ordinal);
    private long _orders;
    private long _alerts;

    public long PublishedCount => _published.Values.Sum();

    public IReadOnlyDictionary<string, long> PublishedByTopic => _published;

    public long Orders => Interlocked.Read(ref _orders);

    public long Alerts => Interlocked.Read(ref _alerts);

    public void Published(string topic) => _published.AddOrUpdate(topic, 1, (_, n) => n + 1);

    public void OrderPlaced() => Interlocked.Increment(ref _orders);

    public void AlertRaised() => Interlocked.Increment(ref _alerts);
}
