using System.Collections.Concurrent;

namespace Streams.Worker.Observability;

/// <summary>Counts for the worker's live summary line.</summary>
public sealed class WorkerCounters
{
    private readonly ConcurrentDictionary<string, long> _published = new(StringComparer.Ordinal);

    public long PublishedCount => _published.Values.Sum();

    public IReadOnlyDictionary<string, long> PublishedByTopic => _published;

    public void Published(string topic) => _published.AddOrUpdate(topic, 1, (_, n) => n + 1);
}
