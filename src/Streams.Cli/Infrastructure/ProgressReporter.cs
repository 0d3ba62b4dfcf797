using System.Diagnostics;
using System.Globalization;

namespace Streams.Cli.Infrastructure;

/// <summary>
/// Progress of a long operation as a line on stderr at most once a second: enough to see a run move (and to see it
/// stuck), few enough lines for a CI log, and never on stdout, which stays for results.
/// </summary>
internal sealed class ProgressReporter(TextWriter error, string label, long? total)
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);
    private readonly Stopwatch _sinceLast = Stopwatch.StartNew();

    public Task ReportAsync(long done)
    {
        if (_sinceLast.Elapsed < Interval)
        {
            return Task.CompletedTask;
        }

        _sinceLast.Restart();
        return error.WriteLineAsync(total is > 0 and var all
            ? string.Create(CultureInfo.InvariantCulture, $"{label}: {done:N0} / {all:N0} ({100.0 * done / all:0}%)")
            : string.Create(CultureInfo.InvariantCulture, $"{label}: {done:N0}"));
    }
}
