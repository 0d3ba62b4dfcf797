using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
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

            var published = new ConcurrentDictionary<string, long>(StringComparer.Ordinal);
            var latencies = new LatencyHistogram();
            var behind = 0;
            using var stop = new CancellationTokenSource();
            var connected = new CountdownEvent(clients);
            var readers = Enumerable.Range(0, clients)
                .Select(_ => Task.Run(() => ReadAsync(http, baseUrl, published, latencies, connected, () => Interlocked.Increment(ref behind), stop.Token)))
                .ToList();
            if (!connected.Wait(TimeSpan.FromSeconds(60)))
            {
                throw new InvalidOperationException($"only {clients - connected.CurrentCount} of {clients} SSE clients connected within 60 s");
            }

            using var registry = new CachedSchemaRegistryClient(new SchemaRegistryConfig { Url = $"http://127.0.0.1:{registryPort}" });
            using var publisher = new EventPublisher(new EventPublisherOptions { BootstrapServers = $"127.0.0.1:{kafkaPort}", SchemaRegistryUrl = $"http://127.0.0.1:{registryPort}" }, registry);
            using var process = Process.GetProcessById(worker.Id);
            var cpuBefore = process.TotalProcessorTime;
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
                    published[order.orderId] = Stopwatch.GetTimestamp();
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
            await stop.CancelAsync().ConfigureAwait(false);
            await Task.WhenAll(readers).ConfigureAwait(false);

            var table = new Table().AddColumns("clients", "orders/s", "published", "deliveries", "delivered", "behind", "p50 ms", "p99 ms", "max ms", "worker CPU (cores)", "worker peak RSS MB");
            table.AddRow(
                clients.ToString(CultureInfo.InvariantCulture), eventsPerSecond.ToString(CultureInfo.InvariantCulture), sent.ToString(CultureInfo.InvariantCulture),
                latencies.Count.ToString(CultureInfo.InvariantCulture), $"{100.0 * latencies.Count / Math.Max(1, expected):F1} %", behind.ToString(CultureInfo.InvariantCulture),
                latencies.Percentile(0.50).ToString("F0", CultureInfo.InvariantCulture), latencies.Percentile(0.99).ToString("F0", CultureInfo.InvariantCulture),
                latencies.Percentile(1.0).ToString("F0", CultureInfo.InvariantCulture), cpu.ToString("F2", CultureInfo.InvariantCulture), (peakRss / 1024.0 / 1024).ToString("F0", CultureInfo.InvariantCulture));
            AnsiConsole.Write(table);
            Console.WriteLine(FormattableString.Invariant(
                $"fanout: {clients} clients x {eventsPerSecond} orders/s for {publishing.TotalSeconds:F0} s: delivered {100.0 * latencies.Count / Math.Max(1, expected):F1} % of {expected}, p50 {latencies.Percentile(0.5):F0} ms, p99 {latencies.Percentile(0.99):F0} ms; worker {cpu:F2} cores, peak RSS {peakRss / 1024 / 1024} MB (clients and publisher run in the benchmark process, on the same machine)"));
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
            Path.Combine(AppContext.BaseDirectory, "Streams.Worker.dll"),
            $"--Streams:DataDirectory={dataDirectory}",
            $"--Streams:EmbeddedKafkaPort={kafkaPort}",
            $"--Streams:EmbeddedRegistryPort={registryPort}",
            $"--Streams:HttpUrl=http://127.0.0.1:{httpPort}",
            "--Streams:Simulator:Enabled=false",
            "--Logging:LogLevel:Default=Warning",
            // One SSE client's buffer is what Streams:Notifications:ClientBuffer bounds; the default is what is measured.
        })
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

    /// <summary>One SSE client: every order it receives is timed against its publish; <c>behind</c> events are counted.</summary>
    private static async Task ReadAsync(HttpClient http, string baseUrl, ConcurrentDictionary<string, long> published, LatencyHistogram latencies, CountdownEvent connected, Action fellBehind, CancellationToken cancellationToken)
    {
        var signalled = false;
        try
        {
            using var response = await http.GetAsync(new Uri(baseUrl + "/notifications?type=order"), HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
            response.EnsureSuccessStatusCode();
            using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false));
            while (await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
            {
                if (!signalled)
                {
                    signalled = true;
                    connected.Signal();
                }

                if (line.StartsWith("event: behind", StringComparison.Ordinal))
                {
                    fellBehind();
                }
                else if (line.StartsWith("data:", StringComparison.Ordinal) && OrderId(line) is { } orderId && published.TryGetValue(orderId, out var at))
                {
                    latencies.Add(Stopwatch.GetElapsedTime(at).TotalMilliseconds);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        catch (HttpRequestException) when (cancellationToken.IsCancellationRequested)
        {
        }
        catch (IOException) when (cancellationToken.IsCancellationRequested)
        {
        }
        finally
        {
            if (!signalled)
            {
                connected.Signal();
            }
        }
    }

    private static string? OrderId(string line)
    {
        const string Marker = "\"orderId\":\"";
        var start = line.IndexOf(Marker, StringComparison.Ordinal);
        if (start < 0)
        {
            return null;
        }

        start += Marker.Length;
        var end = line.IndexOf('"', start);
        return end < 0 ? null : line[start..end];
    }

    private static OrderPlaced Order(int n)
    {
        var id = $"fanout-{n}";
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

    /// <summary>Millisecond buckets up to a minute: a million deliveries a second cannot each be kept.</summary>
    private sealed class LatencyHistogram
    {
        private readonly long[] _buckets = new long[60_001];
        private long _count;

        public long Count => Interlocked.Read(ref _count);

        public void Add(double milliseconds)
        {
            Interlocked.Increment(ref _buckets[Math.Clamp((int)milliseconds, 0, _buckets.Length - 1)]);
            Interlocked.Increment(ref _count);
        }

        public double Percentile(double p)
        {
            var target = (long)Math.Ceiling(Count * p);
            long seen = 0;
            for (var i = 0; i < _buckets.Length; i++)
            {
                seen += _buckets[i];
                if (seen >= target && seen > 0)
                {
                    return i;
                }
            }

            return double.NaN;
        }
    }
}
