using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Streams.Benchmarks;

/// <summary>
/// The embedded broker in its own process (as users run it), so its CPU and memory can be measured apart from the
/// clients driving it.
/// </summary>
internal sealed partial class BrokerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _dataDirectory;

    private BrokerProcess(Process process, string dataDirectory, string bootstrap)
    {
        _process = process;
        _dataDirectory = dataDirectory;
        BootstrapServers = bootstrap;
    }

    public string BootstrapServers { get; }

    public int ProcessId => _process.Id;

    public static async Task<BrokerProcess> StartAsync(IEnumerable<string> settings)
    {
        var dataDirectory = Path.Combine(Path.GetTempPath(), "streams-bench-" + Guid.NewGuid().ToString("N"));
        var brokerDll = Path.Combine(AppContext.BaseDirectory, "Streams.Broker.dll");
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { brokerDll, "--listen", "127.0.0.1:0", "--data-dir", dataDirectory })
        {
            info.ArgumentList.Add(arg);
        }

        foreach (var setting in settings)
        {
            info.ArgumentList.Add("--set");
            info.ArgumentList.Add(setting);
        }

        var process = Process.Start(info) ?? throw new InvalidOperationException("could not start the broker");
        _ = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (await process.StandardOutput.ReadLineAsync(timeout.Token).ConfigureAwait(false) is { } line)
        {
            var match = ListeningLine().Match(line);
            if (match.Success)
            {
                _ = DrainAsync(process.StandardOutput);
                return new BrokerProcess(process, dataDirectory, match.Groups[1].Value);
            }
        }

        throw new InvalidOperationException("the broker exited before it was ready");
    }

    private static async Task DrainAsync(StreamReader reader)
    {
        while (await reader.ReadLineAsync().ConfigureAwait(false) is not null)
        {
        }
    }

    /// <summary>CPU time used so far and resident memory now, from /proc.</summary>
    public (TimeSpan Cpu, long RssBytes) Sample()
    {
        _process.Refresh();
        return (_process.TotalProcessorTime, _process.WorkingSet64);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync().ConfigureAwait(false);
        }

        _process.Dispose();
        try
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    [GeneratedRegex(@"listening on (\S+:\d+)")]
    private static partial Regex ListeningLine();
}
