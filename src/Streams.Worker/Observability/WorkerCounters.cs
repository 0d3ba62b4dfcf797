namespace Streams.Worker.Observability;

/// <summary>Counts for the worker's periodic status line.</summary>
public sealed class WorkerCounters
{
    private long _published;

    public long PublishedCount => Interlocked.Read(ref _published);

    public void Published() => Interlocked.Increment(ref _published);
}
