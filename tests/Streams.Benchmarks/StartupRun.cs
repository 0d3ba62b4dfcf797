using System.Buffers.Binary;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Streams.Benchmarks;

/// <summary>
/// How fast the broker answers after its process starts: the time from launching <c>dotnet Streams.Broker.dll</c>
/// (as users run it) to the first answered ApiVersions request on a fresh data directory, the moment a client could
/// start working.
/// </summary>
internal static class StartupRun
{
    /// <returns>Per run: wall time to the first answer, and the CPU time the broker process used until then (less
    /// sensitive to other load on the machine than the wall time).</returns>
    public static async Task<IReadOnlyList<(double WallMs, double CpuMs)>> RunAsync(int runs)
    {
        // STREAMS_BENCH_BROKER_DLL runs another build side by side (e.g. the previous release as the baseline, or a
        // ReadyToRun publish); a path not ending in .dll is started directly (a Native AOT executable).
        var brokerDll = Environment.GetEnvironmentVariable("STREAMS_BENCH_BROKER_DLL") ?? Path.Combine(AppContext.BaseDirectory, "Streams.Broker.dll");
        var samples = new List<(double, double)>();
        for (var run = 0; run < runs; run++)
        {
            var dataDirectory = Path.Combine(Path.GetTempPath(), "streams-start-" + Guid.NewGuid().ToString("N"));
            var port = FreePort();
            var native = !brokerDll.EndsWith(".dll", StringComparison.OrdinalIgnoreCase);
            var info = new ProcessStartInfo(native ? brokerDll : "dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var arg in (native ? [] : new[] { brokerDll }).Concat(["--listen", $"127.0.0.1:{port}", "--data-dir", dataDirectory]))
            {
                info.ArgumentList.Add(arg);
            }

            var watch = Stopwatch.StartNew();
            using var process = Process.Start(info) ?? throw new InvalidOperationException("could not start the broker");
            _ = process.StandardOutput.ReadToEndAsync();
            _ = process.StandardError.ReadToEndAsync();
            try
            {
                await FirstAnswerAsync(port, process).ConfigureAwait(false);
                var wall = watch.Elapsed.TotalMilliseconds;
                process.Refresh();
                samples.Add((wall, process.TotalProcessorTime.TotalMilliseconds));
            }
            finally
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync().ConfigureAwait(false);
                Directory.Delete(dataDirectory, recursive: true);
            }
        }

        return samples;
    }

    /// <summary>
    /// Worker start to <c>/health/ready</c> answering 200, on a data directory an earlier run of the worker left
    /// (topics, schemas, topology state exist): the restart users see. The first run prepares the directory and is
    /// not counted.
    /// </summary>
    public static async Task<IReadOnlyList<double>> WorkerReadyAsync(int runs)
    {
        // STREAMS_BENCH_WORKER_DLL: another build of the worker (e.g. a ReadyToRun publish) side by side.
        var workerDll = Environment.GetEnvironmentVariable("STREAMS_BENCH_WORKER_DLL") ?? Path.Combine(AppContext.BaseDirectory, "Streams.Worker.dll");
        var dataDirectory = Path.Combine(Path.GetTempPath(), "streams-worker-start-" + Guid.NewGuid().ToString("N"));
        var samples = new List<double>();
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        try
        {
            for (var run = 0; run <= runs; run++)
            {
                var kafkaPort = FreePort();
                var registryPort = FreePort();
                var httpPort = FreePort();
                var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
                foreach (var arg in new[] { workerDll, $"--Streams:DataDirectory={dataDirectory}", $"--Streams:EmbeddedKafkaPort={kafkaPort}", $"--Streams:EmbeddedRegistryPort={registryPort}", $"--Streams:HttpUrl=http://127.0.0.1:{httpPort}", "--Streams:Simulator:Enabled=false", "--Logging:LogLevel:Default=Warning" })
                {
                    info.ArgumentList.Add(arg);
                }

                var watch = Stopwatch.StartNew();
                using var process = Process.Start(info) ?? throw new InvalidOperationException("could not start the worker");
                _ = process.StandardOutput.ReadToEndAsync();
                _ = process.StandardError.ReadToEndAsync();
                try
                {
                    while (true)
                    {
                        if (process.HasExited)
                        {
                            throw new InvalidOperationException($"the worker exited with {process.ExitCode}");
                        }

                        if (watch.Elapsed > TimeSpan.FromSeconds(60))
                        {
                            throw new TimeoutException("the worker was not ready within 60 s");
                        }

                        try
                        {
                            using var response = await http.GetAsync(new Uri($"http://127.0.0.1:{httpPort}/health/ready")).ConfigureAwait(false);
                            if (response.IsSuccessStatusCode)
                            {
                                break;
                            }
                        }
                        catch (HttpRequestException)
                        {
                        }
                        catch (TaskCanceledException)
                        {
                        }

                        await Task.Delay(10).ConfigureAwait(false);
                    }

                    if (run > 0)
                    {
                        samples.Add(watch.Elapsed.TotalMilliseconds);
                    }
                }
                finally
                {
                    // SIGTERM-like stop is not available from Process; the next start then finds an unclean shutdown, as after a crash.
                    process.Kill(entireProcessTree: true);
                    await process.WaitForExitAsync().ConfigureAwait(false);
                }
            }
        }
        finally
        {
            Directory.Delete(dataDirectory, recursive: true);
        }

        return samples;
    }

    public static int FreePort()
    {
        using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        probe.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)probe.LocalEndPoint!).Port;
    }

    /// <summary>Connects as soon as the port accepts and sends ApiVersions v0 until one is answered.</summary>
    public static async Task FirstAnswerAsync(int port, Process process, TimeSpan? limit = null)
    {
        byte[] request = [0, 0, 0, 10, 0, 18, 0, 0, 0, 0, 0, 1, 0xFF, 0xFF];
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < (limit ?? TimeSpan.FromSeconds(30)))
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"the broker exited with {process.ExitCode}");
            }

            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(IPAddress.Loopback, port).ConfigureAwait(false);
                await socket.SendAsync(request).ConfigureAwait(false);
                var header = new byte[8];
                var read = 0;
                while (read < header.Length)
                {
                    var n = await socket.ReceiveAsync(header.AsMemory(read)).ConfigureAwait(false);
                    if (n == 0)
                    {
                        break;
                    }

                    read += n;
                }

                if (read == header.Length && BinaryPrimitives.ReadInt32BigEndian(header.AsSpan(4)) == 1)
                {
                    return;
                }
            }
            catch (SocketException)
            {
            }

            await Task.Delay(2).ConfigureAwait(false);
        }

        throw new TimeoutException($"no ApiVersions answer within {(limit ?? TimeSpan.FromSeconds(30)).TotalSeconds} s");
    }
}
