namespace Streams.Broker.Network;

/// <summary>
/// <c>queued.max.request.bytes</c>: the bytes of requests being received or handled across all connections. A
/// connection that has read a request's size waits here for room before it reads (or buffers) the body, as Kafka's
/// memory pool mutes a channel, so many large requests at once slow down instead of exhausting memory.
/// </summary>
internal sealed class RequestMemoryBudget(long capacity)
{
    private readonly object _lock = new();
    private long _available = capacity;
    private TaskCompletionSource _released = NewSignal();

    /// <summary>Bytes not currently held (for tests and diagnostics).</summary>
    public long Available
    {
        get
        {
            lock (_lock)
            {
                return _available;
            }
        }
    }

    public async ValueTask AcquireAsync(long bytes, CancellationToken cancellationToken)
    {
        while (true)
        {
            Task released;
            lock (_lock)
            {
                if (_available >= bytes)
                {
                    _available -= bytes;
                    return;
                }

                released = _released.Task;
            }

            await released.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public void Release(long bytes)
    {
        TaskCompletionSource released;
        lock (_lock)
        {
            _available += bytes;
            released = _released;
            _released = NewSignal();
        }

        // Every waiter looks again; each request needs a different amount, so no single one can be picked ahead.
        released.TrySetResult();
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
