using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Confluent.SchemaRegistry;
using Microsoft.Extensions.Logging;
using Spectre.Console;
using Streams.Contracts;
using Streams.Contracts.Carts;
using Streams.Contracts.Topics;
using Streams.Messaging.Events;
using Streams.Messaging.Publishing;
using Streams.Worker;
using Streams.Worker.Infrastructure;

namespace Streams.Benchmarks;

/// <summary>
/// End-to-end latency of the application on the embedded default: a cart (add, add, checkout) published at a steady
/// rate, timed from the checkout's publish to its order arriving on the orders topic. Beside it, in the same run, the
/// ceiling: a plain consume→produce pipe from cart-events to a pipe topic, timed the same way for the checkout.
/// </summary>
internal static class PipelineRun
{
    private const string PipeTopic = "bench-pipe";

    public static async Task RunAsync(int[] rates, TimeSpan stepDuration, int maxSteps = 12, string[]? workerArgs = null, bool withConsole = false, IReadOnlyDictionary<string, string>? publisherSettings = null)
    {
        AnsiConsole.Profile.Width = Math.Max(AnsiConsole.Profile.Width, 150); // the table is wider than a redirected console's 80 columns
        // Removed afterwards: a search writes gigabytes (six topics at up to ~30,000 events/s).
        var dataDirectory = Path.Combine(Path.GetTempPath(), "streams-pipeline-bench-" + Guid.NewGuid().ToString("N"));
        try
        {
            await RunInAsync(dataDirectory, rates, stepDuration, maxSteps, workerArgs, withConsole, publisherSettings).ConfigureAwait(false);
        }
        finally
        {
            if (Directory.Exists(dataDirectory))
            {
                Directory.Delete(dataDirectory, recursive: true);
            }
        }
    }

    private static async Task RunInAsync(string dataDirectory, int[] rates, TimeSpan stepDuration, int maxSteps, string[]? workerArgs, bool withConsole, IReadOnlyDictionary<string, string>? publisherSettings)
    {
        // The worker as users run it: one host with the embedded broker and registry.
        await using var app = WorkerApp.Build(["--Logging:LogLevel:Default=Warning", .. workerArgs ?? []], options =>
        {
            options.DataDirectory = dataDirectory;
            options.EmbeddedKafkaPort = 0;
            options.EmbeddedRegistryPort = 0;
            options.HttpUrl = "http://127.0.0.1:0";
            options.Simulator = new SimulatorOptions { Enabled = false };
        });
        await app.StartAsync().ConfigureAwait(false);
        var endpoints = app.Services.GetRequiredService<StreamsEndpoints>();
        var bootstrap = endpoints.BootstrapServers;
        using var registry = new CachedSchemaRegistryClient(new SchemaRegistryConfig { Url = endpoints.SchemaRegistryUrl });
        var publisherOptions = new EventPublisherOptions { BootstrapServers = bootstrap, SchemaRegistryUrl = endpoints.SchemaRegistryUrl };
        foreach (var (name, value) in publisherSettings ?? new Dictionary<string, string>())
        {
            publisherOptions.Kafka[name] = value;
        }

        using var publisher = new EventPublisher(publisherOptions, registry);

        using (var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = bootstrap }).Build())
        {
            await admin.CreateTopicsAsync([new TopicSpecification { Name = PipeTopic, NumPartitions = TopicCatalog.CartEvents.Partitions, ReplicationFactor = -1 }]).ConfigureAwait(false);
        }

        var published = new ConcurrentDictionary<string, long>(StringComparer.Ordinal);
        var orderLatencies = new ConcurrentBag<double>();
        var pipeLatencies = new ConcurrentBag<double>();
        // Hops of the checkout's way: publish -> acknowledged (append), publish -> seen by a consumer of cart-events
        // (append -> fetch), and the rest up to the order (topology processing, its produce, the fetch of orders).
        var ackLatencies = new ConcurrentBag<double>();
        var sourceLatencies = new ConcurrentBag<double>();
        using var stop = new CancellationTokenSource();
        // Blocking client loops get threads of their own: on the pool they would hold workers the worker's own
        // asynchronous parts (embedded broker, registry, consumers) need.
        var watchers = new[]
        {
            Dedicated("bench/watch-ord", () => Watch(bootstrap, TopicCatalog.Orders.Name, r => OrderKey(r), published, orderLatencies, stop.Token)),
            Dedicated("bench/pipe", () => Pipe(bootstrap, stop.Token)),
            Dedicated("bench/watch-pip", () => Watch(bootstrap, PipeTopic, r => CheckoutId(r), published, pipeLatencies, stop.Token)),
            Dedicated("bench/watch-src", () => Watch(bootstrap, TopicCatalog.CartEvents.Name, r => CheckoutId(r), published, sourceLatencies, stop.Token)),
        };
        await Task.Delay(TimeSpan.FromSeconds(8)).ConfigureAwait(false); // groups join, topology runs
        await DriveAsync(publisher, published, ackLatencies, rates[0], TimeSpan.FromSeconds(5)).ConfigureAwait(false); // warm-up (JIT, caches), not reported
        await Task.Delay(TimeSpan.FromSeconds(3)).ConfigureAwait(false);

        // One step at a fixed rate: publish for the step's duration, wait up to 5 s for the last results.
        // The process's CPU per published event over the step and its drain (broker, registry, worker, publisher, pipe
        // and watchers alike): less noisy than the rates on a shared machine, so it compares builds at a fixed rate.
        // Also how the topology's stream thread spent the step: on a CPU, or ready but waiting for one.
        async Task<(int Carts, double Achieved, (double P50, double P99) Order, (double P50, double P99) Pipe, double CpuUsPerEvent)> MeasureAsync(int rate)
        {
            var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
            var scheduleBefore = ThreadSchedule.Now();
            var stepStarted = Stopwatch.GetTimestamp();
            published.Clear(); // late results of an earlier step are not counted in this one
            orderLatencies.Clear();
            pipeLatencies.Clear();
            ackLatencies.Clear();
            sourceLatencies.Clear();
            var (carts, achieved) = await DriveAsync(publisher, published, ackLatencies, rate, stepDuration).ConfigureAwait(false);
            var drained = Stopwatch.GetTimestamp();
            while ((orderLatencies.Count < carts || pipeLatencies.Count < carts) && Stopwatch.GetElapsedTime(drained) < TimeSpan.FromSeconds(5))
            {
                await Task.Delay(50).ConfigureAwait(false);
            }

            var cpu = Process.GetCurrentProcess().TotalProcessorTime - cpuBefore;
            var schedule = ThreadSchedule.Now() - scheduleBefore;
            var wall = Stopwatch.GetElapsedTime(stepStarted);
            if (!schedule.IsEmpty)
            {
                var (running, waiting) = schedule[ThreadSchedule.StreamThread];
                var events = Math.Max(1, carts * 3);
                var byKind = string.Join(", ", ThreadSchedule.Kinds.Select(kind => $"{kind} {schedule[kind].Running.TotalMicroseconds / events:N0}"));
                AnsiConsole.MarkupLineInterpolated($"[grey]{rate:N0} events/s: the stream thread ran {running / wall:P0} of the step and waited {waiting / wall:P0} for a CPU; CPU µs per event by thread: {byKind}[/]");
            }

            return (carts, achieved, Percentiles(orderLatencies), Percentiles(pipeLatencies), cpu.TotalMicroseconds / Math.Max(1, achieved * stepDuration.TotalSeconds));
        }

        if (withConsole)
        {
            await CompareConsoleAsync(app, rates[0], stepDuration, MeasureAsync).ConfigureAwait(false);
            await stop.CancelAsync().ConfigureAwait(false);
            await Task.WhenAll(watchers).ConfigureAwait(false);
            await app.StopAsync().ConfigureAwait(false);
            return;
        }

        // Steady rates first (latency at 1,000 events/s), then a search: the rate grows by half each step until
        // neither side keeps up, then refining steps between each side's bounds. A side keeps up with a step when
        // every checkout of it came out (order, or piped record) within the drain time and its p99 stayed under a
        // second, i.e. no backlog built up.
        var table = new Table().AddColumns("target events/s", "published events/s", "pipeline p50", "pipeline p99", "orders seen", "pipe p50", "pipe p99", "pipe seen", "p99 ratio", "CPU µs/event");
        int? pipelineMax = null, pipeMax = null;
        int? pipelineFail = null, pipeFail = null; // the lowest rate each side fell behind at
        (double P50, double P99, int Rate) first = default;
        bool pipelineFailed = false, pipeFailed = false;
        var refining = 0;
        var publisherFellShort = false; // the search's top: the publisher itself could not reach the rate
        for (var step = 0; ; step++)
        {
            // After the ×1.5 search, up to 4 steps halve (geometrically) the widest gap between a side's highest rate
            // kept up and the lowest it fell behind at, so the ratio is not an artefact of the coarse steps.
            int rate;
            if (!(pipelineFailed && pipeFailed) && !publisherFellShort)
            {
                rate = step < rates.Length ? rates[step] : (int)(rates[^1] * Math.Pow(1.5, step - rates.Length + 1));
            }
            else if (refining < 4 && Widest(pipelineMax, pipelineFail, pipeMax, pipeFail) is { } mid)
            {
                rate = mid;
                refining++;
            }
            else
            {
                break;
            }

            var (carts, achieved, order, pipe, cpuPerEvent) = await MeasureAsync(rate).ConfigureAwait(false);
            var ack = Percentiles(ackLatencies);
            var source = Percentiles(sourceLatencies);
            AnsiConsole.MarkupLineInterpolated($"[grey]{rate:N0} events/s hops (p50/p99): publish->ack {ack.P50:N1}/{ack.P99:N1} ms, publish->seen on cart-events {source.P50:N1}/{source.P99:N1} ms, publish->order {order.P50:N1}/{order.P99:N1} ms (topology + its produce + fetch: ~{order.P50 - source.P50:N1} ms at p50), publish->pipe {pipe.P50:N1}/{pipe.P99:N1} ms[/]");
            if (step == 0)
            {
                first = (order.P50, order.P99, rate);
            }

            var publisherKeptUp = achieved >= rate * 0.95;
            var pipelineKeptUp = publisherKeptUp && orderLatencies.Count >= carts && order.P99 < 1000;
            var pipeKeptUp = publisherKeptUp && pipeLatencies.Count >= carts && pipe.P99 < 1000;
            if (refining > 0)
            {
                (pipelineMax, pipelineFail) = Narrow(pipelineMax, pipelineFail, rate, pipelineKeptUp);
                (pipeMax, pipeFail) = Narrow(pipeMax, pipeFail, rate, pipeKeptUp);
            }
            else
            {
                pipelineFail ??= pipelineKeptUp ? null : rate;
                pipeFail ??= pipeKeptUp ? null : rate;
                pipelineFailed |= !pipelineKeptUp;
                pipeFailed |= !pipeKeptUp;
                pipelineMax = pipelineFailed ? pipelineMax : rate;
                pipeMax = pipeFailed ? pipeMax : rate;
            }

            table.AddRow($"{rate:N0}", $"{achieved:N0}", Ms(order.P50), Ms(order.P99), $"{orderLatencies.Count:N0}/{carts:N0}", Ms(pipe.P50), Ms(pipe.P99), $"{pipeLatencies.Count:N0}/{carts:N0}", pipe.P99 > 0 ? $"{order.P99 / pipe.P99:N1}x" : "-", $"{cpuPerEvent:N0}");
            AnsiConsole.MarkupLineInterpolated($"[grey]{rate:N0} events/s: published {achieved:N0}/s, pipeline {(pipelineKeptUp ? "kept up" : "fell behind")}, pipe {(pipeKeptUp ? "kept up" : "fell behind")}[/]");
            // A rate the publisher could not reach ends the search (refining goes on below it); while refining, ends all.
            publisherFellShort |= !publisherKeptUp;
            if ((!publisherKeptUp && refining > 0) || step >= maxSteps)
            {
                break;
            }

            // Let a side that fell behind catch up before the next step, so each step starts from an empty backlog.
            await Task.Delay(TimeSpan.FromSeconds(pipelineFailed || pipeFailed ? 10 : 2)).ConfigureAwait(false);
        }

        await stop.CancelAsync().ConfigureAwait(false);
        await Task.WhenAll(watchers).ConfigureAwait(false);
        await app.StopAsync().ConfigureAwait(false);
        AnsiConsole.Write(table);
        AnsiConsole.MarkupLineInterpolated($"Highest rate kept up: pipeline {Rate(pipelineMax)}, plain pipe {Rate(pipeMax)}{(pipelineMax is { } a && pipeMax is { } b ? $" (pipeline/pipe {(double)a / b:P0})" : "")}; a rate the publisher itself could not reach ends the search.");
        // One line to compare between commits.
        var ratio = pipelineMax is { } x && pipeMax is { } y ? ((double)x / y).ToString("N2", System.Globalization.CultureInfo.InvariantCulture) : "-";
        Console.WriteLine(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"pipeline: p50 {first.P50:F1} ms, p99 {first.P99:F1} ms at {first.Rate} ev/s; sustained {pipelineMax ?? 0} ev/s, pipe {pipeMax ?? 0} ev/s, ratio {ratio}"));
    }

    /// <summary>The geometric middle of the side's gap that is widest (more than 10 %), or null when both are narrow.</summary>
    private static int? Widest(int? pipelineMax, int? pipelineFail, int? pipeMax, int? pipeFail)
    {
        static double Gap(int? max, int? fail) => max is { } m && fail is { } f ? (double)f / m : 0;
        var (max, fail) = Gap(pipelineMax, pipelineFail) >= Gap(pipeMax, pipeFail) ? (pipelineMax, pipelineFail) : (pipeMax, pipeFail);
        return max is { } m && fail is { } f && (double)f / m > 1.1 ? (int)Math.Sqrt((double)m * f) : null;
    }

    /// <summary>A refining step's result moves the bound it falls between.</summary>
    private static (int? Max, int? Fail) Narrow(int? max, int? fail, int rate, bool keptUp) =>
        keptUp ? (rate > (max ?? 0) && rate < (fail ?? int.MaxValue) ? rate : max, fail)
               : (max, rate < (fail ?? int.MaxValue) && rate > (max ?? 0) ? rate : fail);

    /// <summary>
    /// The console must not slow the pipeline: steps at one rate alternate without and with the worker's console open
    /// (the overview's live stream and a live tail of cart-events from the end, read as a browser would), twice each.
    /// </summary>
    private static async Task CompareConsoleAsync(WebApplication app, int rate, TimeSpan stepDuration, Func<int, Task<(int Carts, double Achieved, (double P50, double P99) Order, (double P50, double P99) Pipe, double CpuUsPerEvent)>> measure)
    {
        var baseUrl = app.Urls.First();
        var table = new Table().AddColumns("step", "console", "published events/s", "pipeline p50", "pipeline p99", "pipe p99", "tail records read");
        var without = new List<(double P50, double P99)>();
        var with = new List<(double P50, double P99)>();
        for (var round = 0; round < 4; round++)
        {
            var open = round % 2 == 1;
            using var http = new HttpClient { BaseAddress = new Uri(baseUrl), Timeout = Timeout.InfiniteTimeSpan };
            using var closing = new CancellationTokenSource();
            var tailed = 0L;
            var readers = open
                ? new[]
                {
                    ReadEventsAsync(http, $"/console/live/tail/{TopicCatalog.CartEvents.Name}?from=end", () => Interlocked.Increment(ref tailed), closing.Token),
                    ReadEventsAsync(http, "/console/live/overview", () => { }, closing.Token),
                }
                : [];
            await Task.Delay(open ? 1000 : 0).ConfigureAwait(false); // the tail is assigned before the step starts
            var (_, achieved, order, pipe, _) = await measure(rate).ConfigureAwait(false);
            await closing.CancelAsync().ConfigureAwait(false);
            await Task.WhenAll(readers).ConfigureAwait(false);
            (open ? with : without).Add(order);
            table.AddRow($"{round + 1}", open ? "open, tailing" : "closed", $"{achieved:N0}", Ms(order.P50), Ms(order.P99), Ms(pipe.P99), open ? $"{Interlocked.Read(ref tailed):N0}" : "-");
            await Task.Delay(TimeSpan.FromSeconds(2)).ConfigureAwait(false);
        }

        AnsiConsole.Write(table);
        Console.WriteLine(string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"console: at {rate} ev/s pipeline p50 {Mean(without, x => x.P50):F1} ms / p99 {Mean(without, x => x.P99):F1} ms without, p50 {Mean(with, x => x.P50):F1} ms / p99 {Mean(with, x => x.P99):F1} ms with the console tailing; ratio p50 {Mean(with, x => x.P50) / Mean(without, x => x.P50):F2}, p99 {Mean(with, x => x.P99) / Mean(without, x => x.P99):F2}"));
    }

    private static double Mean(List<(double P50, double P99)> values, Func<(double P50, double P99), double> pick) => values.Average(pick);

    /// <summary>Reads a Server-Sent Events stream as a browser would, counting its events, until cancelled.</summary>
    private static async Task ReadEventsAsync(HttpClient http, string path, Action onEvent, CancellationToken cancellationToken)
    {
        try
        {
            using var response = await http.GetAsync(path, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
            response.EnsureSuccessStatusCode();
            using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false));
            while (await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
            {
                if (line.StartsWith("data:", StringComparison.Ordinal))
                {
                    onEvent();
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    private static string Rate(int? rate) => rate is { } r ? $"{r:N0} events/s" : "below the first step";

    /// <summary>
    /// Publishes carts at <paramref name="eventsPerSecond"/> for <paramref name="duration"/>; returns how many carts,
    /// and the rate actually reached (events acknowledged per second, until the last acknowledgement).
    /// </summary>
    private static async Task<(int Carts, double Achieved)> DriveAsync(EventPublisher publisher, ConcurrentDictionary<string, long> published, ConcurrentBag<double> ackLatencies, int eventsPerSecond, TimeSpan duration)
    {
        var cartsPerSecond = eventsPerSecond / 3.0;
        var started = Stopwatch.GetTimestamp();
        var inFlight = new List<Task>();
        var carts = 0;
        while (Stopwatch.GetElapsedTime(started) < duration)
        {
            var due = (int)(Stopwatch.GetElapsedTime(started).TotalSeconds * cartsPerSecond);
            for (; carts < due; carts++)
            {
                var cart = "bench-" + Guid.NewGuid().ToString("N")[..12];
                var checkout = new CartCheckedOut { eventId = "checkout-" + cart, occurredAt = DateTime.UtcNow, cartId = cart, customerId = "c" };
                inFlight.Add(PublishCartAsync(publisher, published, ackLatencies, cart, checkout));
            }

            await Task.Delay(1).ConfigureAwait(false);
        }

        await Task.WhenAll(inFlight).ConfigureAwait(false);
        return (carts, carts * 3 / Stopwatch.GetElapsedTime(started).TotalSeconds);
    }

    private static async Task PublishCartAsync(EventPublisher publisher, ConcurrentDictionary<string, long> published, ConcurrentBag<double> ackLatencies, string cart, CartCheckedOut checkout)
    {
        await publisher.PublishAsync(new ProductAddedToCart { eventId = Guid.NewGuid().ToString(), occurredAt = DateTime.UtcNow, cartId = cart, customerId = "c", productId = "book", quantity = 1, unitPrice = Money.Of(12.99m), currency = "EUR" }).ConfigureAwait(false);
        await publisher.PublishAsync(new ProductAddedToCart { eventId = Guid.NewGuid().ToString(), occurredAt = DateTime.UtcNow, cartId = cart, customerId = "c", productId = "pen", quantity = 2, unitPrice = Money.Of(1.10m), currency = "EUR" }).ConfigureAwait(false);
        var at = Stopwatch.GetTimestamp();
        published[checkout.eventId] = at;
        await publisher.PublishAsync(checkout).ConfigureAwait(false);
        ackLatencies.Add(Stopwatch.GetElapsedTime(at).TotalMilliseconds);
    }

    private static string? OrderKey(ConsumeResult<string, byte[]> record) =>
        record.Message.Key is { } cart ? "checkout-" + cart : null;

    // The pipe copies the checkout record as it is, headers included: its ce_id is the checkout's.
    private static string? CheckoutId(ConsumeResult<string, byte[]> record) =>
        EventMetadata.ReadFrom(record.Message.Headers)?.Id is { } id && id.StartsWith("checkout-", StringComparison.Ordinal) ? id : null;

    private static void Watch(string bootstrap, string topic, Func<ConsumeResult<string, byte[]>, string?> checkoutOf, ConcurrentDictionary<string, long> published, ConcurrentBag<double> latencies, CancellationToken cancellationToken)
    {
        var config = new ConsumerConfig { BootstrapServers = bootstrap, GroupId = "bench-watch-" + topic, AutoOffsetReset = AutoOffsetReset.Latest, EnableAutoCommit = false, FetchWaitMaxMs = 5 };
        using var consumer = new ConsumerBuilder<string, byte[]>(config).Build();
        consumer.Subscribe(topic);
        while (!cancellationToken.IsCancellationRequested)
        {
            var record = consumer.Consume(TimeSpan.FromMilliseconds(100));
            if (record is not null && checkoutOf(record) is { } id && published.TryGetValue(id, out var at))
            {
                latencies.Add(Stopwatch.GetElapsedTime(at).TotalMilliseconds);
            }
        }

        consumer.Close();
    }

    /// <summary>The ceiling: read every cart event and write it straight to the pipe topic, nothing else.</summary>
    private static void Pipe(string bootstrap, CancellationToken cancellationToken)
    {
        var config = new ConsumerConfig { BootstrapServers = bootstrap, GroupId = "bench-pipe", AutoOffsetReset = AutoOffsetReset.Latest, EnableAutoCommit = true, FetchWaitMaxMs = 5 };
        using var consumer = new ConsumerBuilder<string, byte[]>(config).Build();
        using var producer = new ProducerBuilder<string, byte[]>(new ProducerConfig { BootstrapServers = bootstrap, EnableIdempotence = true, LingerMs = 5 }).Build();
        consumer.Subscribe(TopicCatalog.CartEvents.Name);
        while (!cancellationToken.IsCancellationRequested)
        {
            var record = consumer.Consume(TimeSpan.FromMilliseconds(100));
            if (record is not null)
            {
                producer.Produce(PipeTopic, new Message<string, byte[]> { Key = record.Message.Key, Value = record.Message.Value, Headers = record.Message.Headers });
            }
        }

        producer.Flush(TimeSpan.FromSeconds(5));
        consumer.Close();
    }

    /// <summary>A thread of its own, named so the step's CPU breakdown counts it as the benchmark's, not the worker's.</summary>
    private static Task Dedicated(string name, Action loop) =>
        Task.Factory.StartNew(() =>
        {
            Thread.CurrentThread.Name = name;
            loop();
        }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    private static (double P50, double P99) Percentiles(ConcurrentBag<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length == 0 ? (0, 0) : (sorted[(int)(sorted.Length * 0.50)], sorted[Math.Min(sorted.Length - 1, (int)(sorted.Length * 0.99))]);
    }

    private static string Ms(double value) => value == 0 ? "-" : $"{value:N0} ms";
}
