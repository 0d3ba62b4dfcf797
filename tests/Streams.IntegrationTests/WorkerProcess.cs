using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Streams.IntegrationTests;

/// <summary>
/// The worker as a separate OS process (<c>dotnet Streams.Worker.dll</c>, the build output the test project copies
/// next to itself), so a test can SIGKILL it: nothing flushed, no shutdown hooks, the crash a real deployment sees.
/// Its settings come as <c>--Section:Key=value</c> arguments; it is ready when <c>/health/ready</c> answers 200.
/// </summary>
internal sealed class WorkerProcess : IDisposable
{
    private const int TailLines = 200;
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _tail = new();

    private WorkerProcess(Process process) => _process = process;

    public bool HasExited => _process.HasExited;

    /// <summary>The last lines the worker wrote (stdout and stderr), for failure messages.</summary>
    public string Tail => string.Join(Environment.NewLine, _tail);

    /// <summary>Starts the worker with <paramref name="settings"/> and waits (up to <paramref name="readyTimeout"/>) until it is ready.</summary>
    public static async Task<WorkerProcess> StartAsync(string workingDirectory, IEnumerable<string> settings, TimeSpan readyTimeout)
    {
        var httpUrl = $"http://127.0.0.1:{FreePort().ToString(CultureInfo.InvariantCulture)}";
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory,
        };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Streams.Worker.dll"));
        info.ArgumentList.Add($"--Streams:HttpUrl={httpUrl}");
        foreach (var setting in settings)
        {
            info.ArgumentList.Add(setting);
        }

        var worker = new WorkerProcess(Process.Start(info) ?? throw new InvalidOperationException("could not start the worker process"));
        worker._process.OutputDataReceived += (_, e) => worker.Keep(e.Data);
        worker._process.ErrorDataReceived += (_, e) => worker.Keep(e.Data);
        worker._process.BeginOutputReadLine();
        worker._process.BeginErrorReadLine();
        try
        {
            await worker.WaitReadyAsync(new Uri(httpUrl + "/health/ready"), readyTimeout);
            return worker;
        }
        catch
        {
            worker.Dispose();
            throw;
        }
    }

    /// <summary>SIGKILL (the whole process tree) and wait until it is gone.</summary>
    public void Kill()
    {
        _process.Kill(entireProcessTree: true);
        _process.WaitForExit();
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            Kill();
        }

        _process.Dispose();
    }

    private void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }

        _tail.Enqueue(line);
        while (_tail.Count > TailLines && _tail.TryDequeue(out _))
        {
        }
    }

    private async Task WaitReadyAsync(Uri ready, TimeSpan timeout)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"the worker exited with {_process.ExitCode} before it was ready:{Environment.NewLine}{Tail}");
            }

            try
            {
                using var response = await http.GetAsync(ready);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                // Not listening yet, or busy starting.
            }

            await Task.Delay(250);
        }

        throw new TimeoutException($"the worker was not ready within {timeout}:{Environment.NewLine}{Tail}");
    }

    /// <summary>A port free now (the worker binds it a moment later; nothing else on a test machine races for it in practice).</summary>
    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
