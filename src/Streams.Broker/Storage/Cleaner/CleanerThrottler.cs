using System.Diagnostics;

namespace Streams.Broker.Storage.Cleaner;

/// <summary>
/// <c>log.cleaner.io.max.bytes.per.second</c>: the cleaner sleeps whenever it got ahead of the allowed rate, measured
/// over short windows, so a large cleaning cannot take the disk (and the cores) from produce and fetch.
/// </summary>
internal sealed class CleanerThrottler(double bytesPerSecond)
{
    private static readonly TimeSpan Window = TimeSpan.FromMilliseconds(300);
    private readonly Stopwatch _window = Stopwatch.StartNew();
    private double _bytes;

    public bool Unlimited => double.IsInfinity(bytesPerSecond) || bytesPerSecond >= double.MaxValue / 2 || bytesPerSecond <= 0;

    public void Add(long bytes, CancellationToken cancellationToken)
    {
        if (Unlimited)
        {
            return;
        }

        _bytes += bytes;
        var elapsed = _window.Elapsed;
        var allowedTime = TimeSpan.FromSeconds(_bytes / bytesPerSecond);
        if (allowedTime > elapsed)
        {
            cancellationToken.WaitHandle.WaitOne(allowedTime - elapsed);
        }

        if (_window.Elapsed >= Window)
        {
            _bytes = 0;
            _window.Restart();
        }
    }
}
