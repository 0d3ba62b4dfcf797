using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Streams.Broker.Tests.Support;

/// <summary>The broker as a separate OS process (dotnet Streams.Broker.dll, or <see cref="NativeExecutable"/>), so a test can kill -9 it.</summary>
internal sealed partial class BrokerProcess : IDisposable
{
    private readonly Process _process;

    private BrokerProcess(Process process, string bootstrap)
    {
        _process = process;
        BootstrapServers = bootstrap;
    }

    public string BootstrapServers { get; }

    /// <summary>The broker's process id (for /proc readings: memory, CPU time).</summary>
    public int Id => _process.Id;

    /// <summary>Resident set size now, in bytes (Linux /proc).</summary>
    public long ResidentBytes()
    {
        foreach (var line in File.ReadLines($"/proc/{Id}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture) * 1024;
            }
        }

        throw new InvalidOperationException("no VmRSS");
    }

    /// <summary>User plus system CPU time used so far (Linux /proc, in clock ticks of 10 ms).</summary>
    public TimeSpan CpuTime()
    {
        var stat = File.ReadAllText($"/proc/{Id}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        var ticks = long.Parse(fields[11], System.Globalization.CultureInfo.InvariantCulture) + long.Parse(fields[12], System.Globalization.CultureInfo.InvariantCulture);
        return TimeSpan.FromMilliseconds(ticks * 10);
    }

    public bool HasExited => _process.HasExited;

    public static Task<BrokerProcess> StartAsync(string dataDirectory, params string[] extraArgs) => StartAsync(dataDirectory, fileLimit: null, extraArgs);

    /// <summary>
    /// A native broker executable to run instead of <c>dotnet Streams.Broker.dll</c> (a Native AOT publish):
    /// <c>STREAMS_TEST_BROKER_EXE</c>, or null. Every test that starts the broker as a process then tests that build.
    /// </summary>
    public static string? NativeExecutable { get; } = Environment.GetEnvironmentVariable("STREAMS_TEST_BROKER_EXE") is { Length: > 0 } path ? Path.GetFullPath(path) : null;

    /// <summary>Starts the broker, under <c>prlimit --nofile</c> when <paramref name="fileLimit"/> is given.</summary>
    public static async Task<BrokerProcess> StartAsync(string dataDirectory, int? fileLimit, string[] extraArgs)
    {
        string[] program = NativeExecutable is { } native ? [native] : ["dotnet", Path.Combine(AppContext.BaseDirectory, "Streams.Broker.dll")];
        string[] command = fileLimit is { } limit ? ["prlimit", $"--nofile={limit}:{limit}", .. program] : program;
        var info = new ProcessStartInfo(command[0]) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in command.Skip(1).Concat(["--listen", "127.0.0.1:0", "--data-dir", dataDirectory]).Concat(extraArgs))
        {
            info.ArgumentList.Add(arg);
        }

        var process = Process.Start(info) ?? throw new InvalidOperationException("could not start the broker process");
        _ = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (await process.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
        {
            var match = Listening().Match(line);
            if (match.Success)
            {
                var broker = new BrokerProcess(process, match.Groups[1].Value);
                _ = broker.CollectErrorsAsync();
                return broker;
            }
        }

        throw new InvalidOperationException("the broker process exited before it was ready");
    }

    /// <summary>Error and critical log lines the broker wrote since it started (with the lines that follow them: the exception).</summary>
    public IReadOnlyList<string> ErrorLines
    {
        get
        {
            lock (_errors)
            {
                return [.. _errors];
            }
        }
    }

    private readonly List<string> _errors = [];

    private async Task CollectErrorsAsync()
    {
        var following = 0;
        while (await _process.StandardOutput.ReadLineAsync() is { } line)
        {
            if (line.Contains(" fail: ", StringComparison.Ordinal) || line.Contains(" crit: ", StringComparison.Ordinal))
            {
                following = 4;
            }

            if (following > 0)
            {
                following--;
                lock (_errors)
                {
                    if (_errors.Count < 10_000)
                    {
                        _errors.Add(line);
                    }
                }
            }
        }
    }

    /// <summary>SIGKILL: no flush, no clean-shutdown marker, exactly like a crash.</summary>
    public void Kill()
    {
        _process.Kill();
        _process.WaitForExit();
    }

    /// <summary>SIGTERM and wait for the clean exit.</summary>
    public async Task<int> TerminateAsync()
    {
        using (var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await _process.WaitForExitAsync(timeout.Token);
        return _process.ExitCode;
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
        }

        _process.Dispose();
    }

    [GeneratedRegex(@"listening on (\S+:\d+)")]
    private static partial Regex Listening();
}
