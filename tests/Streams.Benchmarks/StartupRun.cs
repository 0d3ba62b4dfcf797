using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Streams.Benchmarks;

/// <summary>
/// How fast the broker answers after its process starts: the time from launching <c>dotnet Streams.Broker.dll</c>
/// (as users run it), or another build of it, to the first answered ApiVersions request on a fresh data directory, the
/// moment a client could start working; and how fast the worker is ready on an existing data directory.
/// </summary>
internal static class StartupRun
{
    /// <summary>
    /// <c>startup [runs] [--broker label=path]... [--worker label=path]... [--no-worker]</c>: this build's broker
    /// (<c>dotnet Streams.Broker.dll</c>, JIT, as <c>dotnet run</c> starts it) and every <c>--broker</c> build (a
    /// <c>.dll</c>, e.g. a ReadyToRun publish, or a native executable, e.g. a Native AOT publish) take turns, run by
    /// run, so the machine's load falls on all of them alike; the same for the worker and <c>--worker</c> builds.
    /// Each build gets a line with its ratio to the first; the last line is this build's.
    /// </summary>
    public static async Task MainAsync(string[] args, int? runs)
    {
        // STREAMS_BENCH_BROKER_DLL / STREAMS_BENCH_WORKER_DLL replace this build's as the first (the baseline of the ratios).
        var brokers = Builds(args, "--broker", Environment.GetEnvironmentVariable("STREAMS_BENCH_BROKER_DLL") is { Length: > 0 } brokerPath ? ("STREAMS_BENCH_BROKER_DLL", brokerPath) : ("jit", Path.Combine(AppContext.BaseDirectory, "Streams.Broker.dll")));
        var brokerSamples = brokers.Select(_ => new List<(double WallMs, double CpuMs)>()).ToList();
        for (var run = 0; run < (runs ?? 10); run++)
        {
            for (var b = 0; b < brokers.Count; b++)
            {
                brokerSamples[b].Add(await BrokerFirstAnswerAsync(brokers[b].Path).ConfigureAwait(false));
            }
        }

        for (var b = 0; b < brokers.Count; b++)
        {
            var wall = brokerSamples[b].Select(s => s.WallMs).Order().ToList();
            var cpu = brokerSamples[b].Select(s => s.CpuMs).Order().ToList();
            var ratio = b == 0 ? "" : Invariant($"; x{Median(wall) / Median(brokerSamples[0].Select(s => s.WallMs).Order().ToList()):F2} wall, x{Median(cpu) / Median(brokerSamples[0].Select(s => s.CpuMs).Order().ToList()):F2} CPU of {brokers[0].Label}");
            Console.WriteLine(Invariant($"broker {brokers[b].Label}: start to first ApiVersions answer over {wall.Count} runs: wall median {Median(wall):F0} ms (each: {string.Join(", ", brokerSamples[b].Select(s => s.WallMs.ToString("F0", CultureInfo.InvariantCulture)))}); broker CPU until then median {Median(cpu):F0} ms (min {cpu[0]:F0}){ratio}"));
        }

        var workers = Builds(args, "--worker", Environment.GetEnvironmentVariable("STREAMS_BENCH_WORKER_DLL") is { Length: > 0 } workerPath ? ("STREAMS_BENCH_WORKER_DLL", workerPath) : ("this", Path.Combine(AppContext.BaseDirectory, "Streams.Worker.dll")));
        var ready = args.Contains("--no-worker") ? workers.Select(_ => (IReadOnlyList<double>)[]).ToList() : await WorkerReadyAsync(workers.Select(w => w.Path).ToList(), 3).ConfigureAwait(false);
        for (var w = 0; w < workers.Count && ready[w].Count > 0; w++)
        {
            var ratio = w == 0 ? "" : Invariant($"; x{Median([.. ready[w].Order()]) / Median([.. ready[0].Order()]):F2} of {workers[0].Label}");
            Console.WriteLine(Invariant($"worker {workers[w].Label}: start to /health/ready on an existing data directory over {ready[w].Count} runs: {string.Join(", ", ready[w].Select(r => r.ToString("F0", CultureInfo.InvariantCulture)))} ms, median {Median([.. ready[w].Order()]):F0} ms{ratio}"));
        }

        var workerReady = ready[0].Count > 0 ? Median([.. ready[0].Order()]).ToString("F0", CultureInfo.InvariantCulture) : "-";
        Console.WriteLine(Invariant($"startup: broker first answer {Median([.. brokerSamples[0].Select(s => s.WallMs).Order()]):F0} ms; worker ready {workerReady} ms"));
    }

    /// <summary>The default build first, then every <c>name label=path</c> (or <c>name path</c>) argument.</summary>
    private static List<(string Label, string Path)> Builds(string[] args, string name, (string Label, string Path) first)
    {
        var builds = new List<(string, string)> { first };
        for (var i = 0; i + 1 < args.Length; i++)
        {
            if (args[i] == name)
            {
                var value = args[i + 1];
                var eq = value.IndexOf('=', StringComparison.Ordinal);
                builds.Add(eq > 0 ? (value[..eq], Path.GetFullPath(value[(eq + 1)..])) : (value, Path.GetFullPath(value)));
            }
        }

        return builds;
    }

    private static double Median(IReadOnlyList<double> sorted) => sorted[sorted.Count / 2];

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    /// <summary>
    /// One start of <paramref name="brokerPath"/> on a fresh data directory: wall time to the first answer, and the
    /// CPU time the broker process used until then (less sensitive to other load on the machine than the wall time).
    /// A path not ending in <c>.dll</c> is started directly (a Native AOT executable).
    /// </summary>
    public static async Task<(double WallMs, double CpuMs)> BrokerFirstAnswerAsync(string brokerPath)
    {
        var dataDirectory = Path.Combine(Path.GetTempPath(), "streams-start-" + Guid.NewGuid().ToString("N"));
        var port = FreePort();
        var info = Command(brokerPath, ["--listen", $"127.0.0.1:{port}", "--data-dir", dataDirectory]);
        var watch = Stopwatch.StartNew();
        using var process = Process.Start(info) ?? throw new InvalidOperationException("could not start the broker");
        _ = process.StandardOutput.ReadToEndAsync();
        _ = process.StandardError.ReadToEndAsync();
        try
        {
            await FirstAnswerAsync(port, process).ConfigureAwait(false);
            var wall = watch.Elapsed.TotalMilliseconds;
            process.Refresh();
            return (wall, process.TotalProcessorTime.TotalMilliseconds);
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync().ConfigureAwait(false);
            Directory.Delete(dataDirectory, recursive: true);
        }
    }

    /// <summary><c>dotnet path args</c> for a <c>.dll</c>, <c>path args</c> for a native executable; outputs redirected.</summary>
    private static ProcessStartInfo Command(string path, IEnumerable<string> args)
    {
        var native = !path.EndsWith(".dll", StringComparison.OrdinalIgnoreCase);
        var info = new ProcessStartInfo(native ? path : "dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in (native ? [] : new[] { path }).Concat(args))
        {
            info.ArgumentList.Add(arg);
        }

        return info;
    }

    /// <summary>
    /// Worker start to <c>/health/ready</c> answering 200, on a data directory an earlier run of the same build left
    /// (topics, schemas, topology state exist): the restart users see. The builds take turns run by run; each one's
    /// first run prepares its directory and is not counted.
    /// </summary>
    /// <returns>Per build, the milliseconds of each counted run.</returns>
    public static async Task<IReadOnlyList<IReadOnlyList<double>>> WorkerReadyAsync(IReadOnlyList<string> workerPaths, int runs)
    {
        var dataDirectories = workerPaths.Select(_ => Path.Combine(Path.GetTempPath(), "streams-worker-start-" + Guid.NewGuid().ToString("N"))).ToList();
        var samples = workerPaths.Select(_ => new List<double>()).ToList();
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        try
        {
            for (var run = 0; run <= runs; run++)
            {
                for (var w = 0; w < workerPaths.Count; w++)
                {
                    var elapsed = await WorkerReadyOnceAsync(http, workerPaths[w], dataDirectories[w]).ConfigureAwait(false);
                    if (run > 0)
                    {
                        samples[w].Add(elapsed);
                    }
                }
            }
        }
        finally
        {
            foreach (var directory in dataDirectories.Where(Directory.Exists))
            {
                Directory.Delete(directory, recursive: true);
            }
        }

        return samples;
    }

    private static async Task<double> WorkerReadyOnceAsync(HttpClient http, string workerPath, string dataDirectory)
    {
        var kafkaPort = FreePort();
        var registryPort = FreePort();
        var httpPort = FreePort();
        var info = Command(workerPath, [$"--Streams:DataDirectory={dataDirectory}", $"--Streams:EmbeddedKafkaPort={kafkaPort}", $"--Streams:EmbeddedRegistryPort={registryPort}", $"--Streams:HttpUrl=http://127.0.0.1:{httpPort}", "--Streams:Simulator:Enabled=false", "--Logging:LogLevel:Default=Warning"]);
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
                        return watch.Elapsed.TotalMilliseconds;
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
        }
        finally
        {
            // SIGTERM-like stop is not available from Process; the next start then finds an unclean shutdown, as after a crash.
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync().ConfigureAwait(false);
        }
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
