namespace Streams.Broker.Network;

/// <summary>
/// Gives the memory of large requests back to the system once they are done. A request over 1 MB has a buffer of its
/// own on the large object heap; dropped, it is only reclaimed by a full collection, and nothing else in an idle
/// broker triggers one, so a burst of large (or abandoned, half-sent) requests would keep the process at its peak.
/// Once 64 MB of them are released, a full compacting collection returns the memory: at most one every 5 s, and
/// the one that is due runs at the end of the interval so buffers released meanwhile are not left behind, and buffers
/// released during the interval after a collection get one more at its end.
/// </summary>
internal static class LargeFrames
{
    private const long CollectAfterBytes = 64L * 1024 * 1024;
    private const long MinIntervalMs = 5_000;
    private static long _released;
    private static long _lastCollectMs = Environment.TickCount64 - MinIntervalMs;
    private static int _scheduled;

    public static void Released(int bytes)
    {
        // The tail of a burst: buffers dropped within the interval after a collection (connections of the burst that
        // closed later, on a loaded machine) get one more collection at the interval's end, however few bytes they are.
        var tail = Environment.TickCount64 - Interlocked.Read(ref _lastCollectMs) < MinIntervalMs;
        if ((Interlocked.Add(ref _released, bytes) < CollectAfterBytes && !tail) || Interlocked.CompareExchange(ref _scheduled, 1, 0) != 0)
        {
            return;
        }

        var wait = Math.Max(0, Interlocked.Read(ref _lastCollectMs) + MinIntervalMs - Environment.TickCount64);

        // A short grace also lets the other connections of a burst (closed together) drop their buffers first.
        _ = Task.Delay(TimeSpan.FromMilliseconds(Math.Max(wait, 200))).ContinueWith(
            static _ =>
            {
                Interlocked.Exchange(ref _released, 0);
                Interlocked.Exchange(ref _lastCollectMs, Environment.TickCount64);
                Volatile.Write(ref _scheduled, 0);
                GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
            },
            CancellationToken.None,
            TaskContinuationOptions.None,
            TaskScheduler.Default);
    }
}
