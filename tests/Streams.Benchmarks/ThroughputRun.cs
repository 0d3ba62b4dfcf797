using System.Diagnostics;
using Confluent.Kafka;

namespace Streams.Benchmarks;

/// <summary>One measured run: produce N messages to one partition, then read them back.</summary>
internal static class ThroughputRun
{
    private const string Kcat = "/usr/bin/kcat";

    public static async Task<RunResult> RunAsync(string bootstrap, int messages, int valueSize, Func<(TimeSpan Cpu, long Rss)>? sampleBroker)
    {
        var topic = "bench-" + Guid.NewGuid().ToString("N")[..8];
        var partition = new TopicPartition(topic, 0);
        var value = new byte[valueSize];
        Random.Shared.NextBytes(value);

        var producerConfig = new ProducerConfig
        {
            BootstrapServers = bootstrap,
            Acks = Acks.All,
            EnableIdempotence = true,
            LingerMs = 5,
            AllowAutoCreateTopics = true,
            QueueBufferingMaxMessages = 1_000_000,
        };

        // Warm up: create the topic and connections outside the measurement.
        using (var warm = new ProducerBuilder<Null, byte[]>(producerConfig).Build())
        {
            await warm.ProduceAsync(partition, new Message<Null, byte[]> { Value = value }).ConfigureAwait(false);
        }

        var produce = await MeasureAsync(sampleBroker, () =>
        {
            using var producer = new ProducerBuilder<Null, byte[]>(producerConfig).Build();
            long failed = 0;
            var message = new Message<Null, byte[]> { Value = value };
            void OnDelivery(DeliveryReport<Null, byte[]> report)
            {
                if (report.Error.IsError)
                {
                    Interlocked.Increment(ref failed);
                }
            }

            for (var i = 0; i < messages; i++)
            {
                while (true)
                {
                    try
                    {
                        producer.Produce(partition, message, OnDelivery);
                        break;
                    }
                    catch (ProduceException<Null, byte[]> ex) when (ex.Error.Code == ErrorCode.Local_QueueFull)
                    {
                        producer.Poll(TimeSpan.FromMilliseconds(1));
                    }
                }
            }

            producer.Flush(TimeSpan.FromMinutes(5));
            if (failed > 0)
            {
                throw new InvalidOperationException($"{failed} deliveries failed");
            }
        }).ConfigureAwait(false);

        // librdkafka's mock cluster keeps only the last ~5 MB of a partition, so the read phase covers what the
        // broker still holds (low to high watermark) and the rate is computed from that count.
        var consumed = 0L;
        var consume = await MeasureAsync(sampleBroker, () =>
        {
            var consumerConfig = new ConsumerConfig
            {
                BootstrapServers = bootstrap,
                GroupId = "bench",
                EnableAutoCommit = false,
                AutoOffsetReset = AutoOffsetReset.Earliest,
            };

            // librdkafka pauses fetching for fetch.queue.backoff.ms (1 s) whenever its local queue holds more than
            // queued.min.messages; a .NET loop slower than the fetcher then idles on every pause.
            consumerConfig.Set("fetch.queue.backoff.ms", "10");
            using var consumer = new ConsumerBuilder<Ignore, Ignore>(consumerConfig).Build();
            var watermarks = consumer.QueryWatermarkOffsets(partition, TimeSpan.FromSeconds(10));
            consumer.Assign(new TopicPartitionOffset(partition, watermarks.Low));
            var last = watermarks.High.Value - 1;
            while (true)
            {
                var result = consumer.Consume(TimeSpan.FromSeconds(10)) ?? throw new TimeoutException($"consumer stalled after {consumed} messages");
                consumed++;
                if (result.Offset.Value >= last)
                {
                    break;
                }
            }

            consumer.Close();
        }).ConfigureAwait(false);

        long rawConsumed = 0;
        var rawConsume = await MeasureAsync(sampleBroker, async () =>
        {
            using var consumer = new ConsumerBuilder<Ignore, Ignore>(new ConsumerConfig { BootstrapServers = bootstrap, GroupId = "bench" }).Build();
            var watermarks = consumer.QueryWatermarkOffsets(partition, TimeSpan.FromSeconds(10));
            rawConsumed = await RawFetchReader.ReadAsync(bootstrap, topic, watermarks.Low, watermarks.High).ConfigureAwait(false);
        }).ConfigureAwait(false);

        // A C client, as the goal names it: kcat reads the partition to its end and prints nothing per record.
        long kcatConsumed = 0;
        Phase? kcatConsume = null;
        if (File.Exists(Kcat))
        {
            kcatConsume = await MeasureAsync(sampleBroker, async () =>
            {
                using var consumer = new ConsumerBuilder<Ignore, Ignore>(new ConsumerConfig { BootstrapServers = bootstrap, GroupId = "bench" }).Build();
                var watermarks = consumer.QueryWatermarkOffsets(partition, TimeSpan.FromSeconds(10));
                kcatConsumed = watermarks.High - watermarks.Low;
                var info = new ProcessStartInfo(Kcat) { UseShellExecute = false, RedirectStandardError = true };
                foreach (var arg in new[] { "-C", "-b", bootstrap, "-t", topic, "-p", "0", "-o", "beginning", "-e", "-q", "-f", "" })
                {
                    info.ArgumentList.Add(arg);
                }

                using var kcat = Process.Start(info) ?? throw new InvalidOperationException("could not start kcat");
                var errors = kcat.StandardError.ReadToEndAsync();
                await kcat.WaitForExitAsync().ConfigureAwait(false);
                if (kcat.ExitCode != 0)
                {
                    throw new InvalidOperationException($"kcat exited with {kcat.ExitCode}: {await errors.ConfigureAwait(false)}");
                }
            }).ConfigureAwait(false);
        }

        return new RunResult(messages, produce, consumed, consume, rawConsumed, rawConsume, kcatConsumed, kcatConsume);
    }

    private static Task<Phase> MeasureAsync(Func<(TimeSpan Cpu, long Rss)>? sampleBroker, Action action) =>
        MeasureAsync(sampleBroker, () => Task.Run(action));

    private static async Task<Phase> MeasureAsync(Func<(TimeSpan Cpu, long Rss)>? sampleBroker, Func<Task> action)
    {
        var before = sampleBroker?.Invoke();
        long peakRss = 0;
        using var sampling = new CancellationTokenSource();
        var sampler = sampleBroker is null ? Task.CompletedTask : Task.Run(async () =>
        {
            while (!sampling.IsCancellationRequested)
            {
                peakRss = Math.Max(peakRss, sampleBroker().Rss);
                await Task.Delay(100).ConfigureAwait(false);
            }
        });
        var clientBefore = Process.GetCurrentProcess().TotalProcessorTime;
        var watch = Stopwatch.StartNew();
        await action().ConfigureAwait(false);
        watch.Stop();
        var clientCpu = Process.GetCurrentProcess().TotalProcessorTime - clientBefore;
        await sampling.CancelAsync().ConfigureAwait(false);
        await sampler.ConfigureAwait(false);
        var after = sampleBroker?.Invoke();
        var cpu = before is { } b && after is { } a ? a.Cpu - b.Cpu : (TimeSpan?)null;
        return new Phase(watch.Elapsed, cpu, sampleBroker is null ? null : Math.Max(peakRss, after!.Value.Rss), clientCpu);
    }
}

/// <summary>One measured phase; <paramref name="ClientCpu"/> is this process's (the clients', and the mock cluster's when it is the target).</summary>
internal sealed record Phase(TimeSpan Elapsed, TimeSpan? BrokerCpu, long? BrokerPeakRss, TimeSpan ClientCpu);

internal sealed record RunResult(int Messages, Phase Produce, long Consumed, Phase Consume, long RawConsumed, Phase RawConsume, long KcatConsumed, Phase? KcatConsume)
{
    /// <summary>kcat's rate, process start to exit included (about 40 ms); null without kcat.</summary>
    public double? KcatConsumeRate => KcatConsume is { } phase ? KcatConsumed / phase.Elapsed.TotalSeconds : null;

    public double RawConsumeRate => RawConsumed / RawConsume.Elapsed.TotalSeconds;

    public double ProduceRate => Messages / Produce.Elapsed.TotalSeconds;

    public double ConsumeRate => Consumed / Consume.Elapsed.TotalSeconds;
}
