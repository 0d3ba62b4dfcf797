using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Confluent.SchemaRegistry;
using Spectre.Console;
using Streams.Contracts.Carts;
using Streams.Messaging.Publishing;

namespace Streams.Benchmarks;

/// <summary>
/// Notification fan-out: the worker runs as its own process (as users run it, so its CPU and memory are its own);
/// this process connects many Server-Sent-Events clients to <c>/notifications</c> and publishes orders straight to the
/// orders topic at a steady rate. Each order's delivery latency is publish → received by a client, for every client.
/// </summary>
/// <remarks>
/// Figures (2 cores shared with other jobs, load average 5-13; 3 runs each, the code before the shared window as
/// "before" via <c>STREAMS_FANOUT_WORKER</c>, interleaved): 1,000 clients: 100 % delivered, every client sent all, p50
/// 52-642 ms, p99 1.3-3.2 s, worker 0.9-1.2 cores, 390-447 MB (before: 7-9 %, all 1,000 clients behind, 0.4-0.5 cores).
/// 100 clients: 100 %, p50 18-23 ms, p99 0.4-1.1 s, 0.74-0.78 cores, 281-285 MB (before: 100 %, p50 8-14 ms, p99
/// 0.4-0.9 s, 0.85-0.93 cores, 227-237 MB). The p99 is the run's first 2-3 seconds (see the first client's line).
/// </remarks>
internal static class FanoutRun
{
    public static async Task RunAsync(int clients, int eventsPerSecond, TimeSpan duration)
    {
        var dataDirectory = Path.Combine(Path.GetTempPath(), "streams-fanout-bench-" + Guid.NewGuid().ToString("N"));
        var (kafkaPort, registryPort, httpPort) = (FreePort(), FreePort(), FreePort());
        var baseUrl = $"http://127.0.0.1:{httpPort}";
        using var worker = StartWorker(dataDirectory, kafkaPort, registryPort, httpPort);
        try
        {
            using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = int.MaxValue }) { Timeout = Timeout.InfiniteTimeSpan };
            await WaitReadyAsync(http, baseUrl, worker).ConfigureAwait(false);

            // Publish times by order number: the readers look them up a million times a second, without strings.
            var published = new long[(int)(eventsPerSecond * (duration.TotalSeconds + 5))];
            using var latencies = new LatencyHistogram();
            var behind = 0;
            // One client's latency per order: when in the run the slow deliveries happened (start, periodic, the end).
            var timeline = new double[published.Length];
            using var stop = new CancellationTokenSource();
            using var connected = new CountdownEvent(clients);
            var readers = Enumerable.Range(0, clients)
                .Select(i => Task.Run(() => ReadAsync(httpPort, published, latencies, i == 0 ? timeline : null, connected, () => Interlocked.Increment(ref behind), stop.Token)))
                .ToList();
            if (!connected.Wait(TimeSpan.FromSeconds(60)))
            {
                throw new InvalidOperationException($"only {clients - connected.CurrentCount} of {clients} SSE clients connected within 60 s");
            }

            using var registry = new CachedSchemaRegistryClient(new SchemaRegistryConfig { Url = $"http://127.0.0.1:{registryPort}" });
            using var publisher = new EventPublisher(new EventPublisherOptions { BootstrapServers = $"127.0.0.1:{kafkaPort}", SchemaRegistryUrl = $"http://127.0.0.1:{registryPort}" }, registry);
            // One order before the clock (not counted: its id is no "fanout-" one): the producer's connections and the
            // schema's registration would otherwise delay the first second of orders, and set the p99 by themselves.
            await publisher.PublishAsync(Order(0, "warmup-0")).ConfigureAwait(false);
            using var process = Process.GetProcessById(worker.Id);
            var cpuBefore = process.TotalProcessorTime;
            var ownCpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
            var clock = Stopwatch.StartNew();
            long peakRss = 0;
            var sent = 0;
            var pending = new List<Task>();
            while (clock.Elapsed < duration)
            {
                var due = (int)(clock.Elapsed.TotalSeconds * eventsPerSecond);
                for (; sent < due; sent++)
                {
                    var order = Order(sent);
                    Volatile.Write(ref published[sent], Stopwatch.GetTimestamp());
                    pending.Add(publisher.PublishAsync(order));
                }

                if (sent % 500 == 0)
                {
                    process.Refresh();
                    peakRss = Math.Max(peakRss, process.WorkingSet64);
                }

                await Task.Delay(1).ConfigureAwait(false);
            }

            await Task.WhenAll(pending).ConfigureAwait(false);
            var publishing = clock.Elapsed;
            var expected = (long)sent * clients;
            var drain = Stopwatch.StartNew();
            while (latencies.Count < expected && drain.Elapsed < TimeSpan.FromSeconds(15))
            {
                await Task.Delay(100).ConfigureAwait(false);
            }

            process.Refresh();
            var cpu = (process.TotalProcessorTime - cpuBefore).TotalSeconds / clock.Elapsed.TotalSeconds;
            peakRss = Math.Max(peakRss, process.WorkingSet64);
            var ownCpu = (Process.GetCurrentProcess().TotalProcessorTime - ownCpuBefore).TotalSeconds / clock.Elapsed.TotalSeconds;
            await stop.CancelAsync().ConfigureAwait(false);
            var perClient = await Task.WhenAll(readers).ConfigureAwait(false);
            var complete = perClient.Count(n => n >= sent);

            var table = new Table().AddColumns("clients", "orders/s", "published", "deliveries", "delivered", "clients sent all", "behind", "p50 ms", "p99 ms", "max ms", "worker CPU (cores)", "worker peak RSS MB", "clients+publisher CPU (cores)");
            table.AddRow(
                clients.ToString(CultureInfo.InvariantCulture), eventsPerSecond.ToString(CultureInfo.InvariantCulture), sent.ToString(CultureInfo.InvariantCulture),
                latencies.Count.ToString(CultureInfo.InvariantCulture), $"{100.0 * latencies.Count / Math.Max(1, expected):F1} %", complete.ToString(CultureInfo.InvariantCulture), behind.ToString(CultureInfo.InvariantCulture),
                latencies.Percentile(0.50).ToString("F0", CultureInfo.InvariantCulture), latencies.Percentile(0.99).ToString("F0", CultureInfo.InvariantCulture),
                latencies.Percentile(1.0).ToString("F0", CultureInfo.InvariantCulture), cpu.ToString("F2", CultureInfo.InvariantCulture), (peakRss / 1024.0 / 1024).ToString("F0", CultureInfo.InvariantCulture),
                ownCpu.ToString("F2", CultureInfo.InvariantCulture));
            AnsiConsole.Write(table);
            Console.WriteLine("first client, slowest delivery of each second's orders (ms): " + string.Join(' ', timeline.Take(sent).Chunk(eventsPerSecond).Select(second => second.Max().ToString("F0", CultureInfo.InvariantCulture))));
            Console.WriteLine(FormattableString.Invariant(
                $"fanout: {clients} clients x {eventsPerSecond} orders/s for {publishing.TotalSeconds:F0} s: delivered {100.0 * latencies.Count / Math.Max(1, expected):F1} % of {expected}, p50 {latencies.Percentile(0.5):F0} ms, p99 {latencies.Percentile(0.99):F0} ms, max {latencies.Percentile(1.0):F0} ms; {complete} clients sent all; worker {cpu:F2} cores, peak RSS {peakRss / 1024 / 1024} MB; behind {behind}; clients and publisher (this process, same machine) {ownCpu:F2} cores"));
        }
        finally
        {
            if (!worker.HasExited)
            {
                worker.Kill(entireProcessTree: true);
                await worker.WaitForExitAsync().ConfigureAwait(false);
            }

            try
            {
                Directory.Delete(dataDirectory, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    private static Process StartWorker(string dataDirectory, int kafkaPort, int registryPort, int httpPort)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[]
        {
            // Another build's worker (e.g. the main branch's, to compare with the same clients): STREAMS_FANOUT_WORKER.
            Environment.GetEnvironmentVariable("STREAMS_FANOUT_WORKER") is { Length: > 0 } other ? other : Path.Combine(AppContext.BaseDirectory, "Streams.Worker.dll"),
            $"--Streams:DataDirectory={dataDirectory}",
            $"--Streams:EmbeddedKafkaPort={kafkaPort}",
            $"--Streams:EmbeddedRegistryPort={registryPort}",
            $"--Streams:HttpUrl=http://127.0.0.1:{httpPort}",
            "--Streams:Simulator:Enabled=false",
            "--Logging:LogLevel:Default=Warning",
            // The notification settings (Streams:Notifications:*) are the defaults unless STREAMS_FANOUT_WORKER_ARGS adds some.
        })
        {
            start.ArgumentList.Add(arg);
        }

        // Settings to compare, one run each: e.g. STREAMS_FANOUT_WORKER_ARGS="--Streams:Notifications:WriteInterval=00:00:00.005".
        foreach (var arg in (Environment.GetEnvironmentVariable("STREAMS_FANOUT_WORKER_ARGS") ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            start.ArgumentList.Add(arg);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("could not start the worker");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is { Length: > 0 } line)
            {
                Console.Error.WriteLine("worker: " + line);
            }
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static async Task WaitReadyAsync(HttpClient http, string baseUrl, Process worker)
    {
        var waited = Stopwatch.StartNew();
        while (waited.Elapsed < TimeSpan.FromSeconds(90))
        {
            if (worker.HasExited)
            {
                throw new InvalidOperationException($"the worker exited with {worker.ExitCode} before it was ready");
            }

            try
            {
                using var response = await http.GetAsync(new Uri(baseUrl + "/health/ready")).ConfigureAwait(false);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }

            await Task.Delay(250).ConfigureAwait(false);
        }

        throw new TimeoutException("the worker was not ready within 90 s");
    }

    /// <summary>
    /// One SSE client, as cheap as it can be so a thousand of them do not starve the worker of the same cores: a raw
    /// HTTP/1.1 request, then complete lines scanned for the order number (no SSE parser, no strings); every order is
    /// timed against its publish, <c>behind</c> events are counted.
    /// </summary>
    private static async Task<long> ReadAsync(int httpPort, long[] published, LatencyHistogram latencies, double[]? timeline, CountdownEvent connected, Action fellBehind, CancellationToken cancellationToken)
    {
        var signalled = false;
        long orders = 0;
        try
        {
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, httpPort), cancellationToken).ConfigureAwait(false);
            var request = Encoding.ASCII.GetBytes($"GET /notifications?type=order HTTP/1.1\r\nHost: 127.0.0.1:{httpPort}\r\nAccept: text/event-stream\r\n\r\n");
            await socket.SendAsync(request, SocketFlags.None, cancellationToken).ConfigureAwait(false);
            var buffer = new byte[64 * 1024];
            var filled = 0;
            while (true)
            {
                var read = await socket.ReceiveAsync(buffer.AsMemory(filled), SocketFlags.None, cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    return orders;
                }

                if (!signalled)
                {
                    // The stream answers once it is subscribed: from here on this client misses nothing.
                    signalled = true;
                    connected.Signal();
                }

                filled += read;
                var complete = buffer.AsSpan(0, filled).LastIndexOf((byte)'\n') + 1;
                orders += Scan(buffer.AsSpan(0, complete), published, latencies, timeline, fellBehind);
                buffer.AsSpan(complete, filled - complete).CopyTo(buffer);
                filled -= complete;
                if (filled == buffer.Length)
                {
                    filled = 0; // a line longer than the buffer is none of ours
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        catch (SocketException) when (cancellationToken.IsCancellationRequested)
        {
        }
        finally
        {
            if (!signalled)
            {
                connected.Signal();
            }
        }

        return orders;
    }

    /// <summary>Times every order in <paramref name="lines"/>; returns how many there were.</summary>
    private static int Scan(ReadOnlySpan<byte> lines, long[] published, LatencyHistogram latencies, double[]? timeline, Action fellBehind)
    {
        var now = Stopwatch.GetTimestamp();
        var found = 0;
        if (lines.IndexOf("event: behind"u8) >= 0)
        {
            fellBehind();
        }

        while (lines.IndexOf("\"orderId\":\"fanout-"u8) is var at and >= 0)
        {
            lines = lines[(at + 18)..];
            var n = 0;
            var digits = 0;
            for (; digits < lines.Length && lines[digits] is >= (byte)'0' and <= (byte)'9'; digits++)
            {
                n = (n * 10) + (lines[digits] - '0');
            }

            if (digits > 0 && n < published.Length && Volatile.Read(ref published[n]) is var sent and > 0)
            {
                var latency = Stopwatch.GetElapsedTime(sent, now).TotalMilliseconds;
                latencies.Add(latency);
                if (timeline is not null)
                {
                    timeline[n] = latency;
                }

                found++;
            }
        }

        latencies.Counted(found);
        return found;
    }

    private static OrderPlaced Order(int n, string? orderId = null)
    {
        var id = orderId ?? $"fanout-{n}";
        return new OrderPlaced
        {
            eventId = Guid.NewGuid().ToString(),
            occurredAt = DateTime.UtcNow,
            orderId = id,
            cartId = $"cart-fanout-{n % 64}",
            customerId = "customer-fanout",
            lines = [new CartLine { productId = "p-1", quantity = 1, unitPrice = Streams.Contracts.Money.Of(9.99m), currency = "EUR" }],
            total = Streams.Contracts.Money.Of(9.99m),
            currency = "EUR",
        };
    }

    private static int FreePort()
    {
        using var socket = new TcpListener(IPAddress.Loopback, 0);
        socket.Start();
        return ((IPEndPoint)socket.LocalEndpoint).Port;
    }

    /// <summary>
    /// Millisecond buckets up to a minute, one set per thread (a million deliveries a second neither fit in memory
    /// one by one nor share one set of counters across cores cheaply); read after the readers have stopped.
    /// </summary>
    private sealed class LatencyHistogram : IDisposable
    {
        private readonly ThreadLocal<long[]> _buckets = new(() => new long[60_001], trackAllValues: true);
        private long _count;

        public long Count => Interlocked.Read(ref _count);

        public void Add(double milliseconds) => _buckets.Value![Math.Clamp((int)milliseconds, 0, 60_000)]++;

        public void Counted(int deliveries) => Interlocked.Add(ref _count, deliveries);

        public double Percentile(double p)
        {
            var merged = new long[60_001];
            foreach (var buckets in _buckets.Values)
            {
                for (var i = 0; i < merged.Length; i++)
                {
                    merged[i] += buckets[i];
                }
            }

            var target = (long)Math.Ceiling(merged.Sum() * p);
            long seen = 0;
            for (var i = 0; i < merged.Length; i++)
            {
                seen += merged[i];
                if (seen >= target && seen > 0)
                {
                    return i;
                }
            }

            return double.NaN;
        }

        public void Dispose() => _buckets.Dispose();
    }
}
