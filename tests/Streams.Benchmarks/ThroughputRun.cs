using System.Diagnostics;
using Confluent.Kafka;

namespace Streams.Benchmarks;

/// <summary>One measured run: produce N messages to one partition, then read them back.</summary>
internal static class ThroughputRun
{
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

        var produce = Measure(sampleBroker, () =>
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
        });

        var consume = Measure(sampleBroker, () =>
        {
            var consumerConfig = new ConsumerConfig
            {
                BootstrapServers = bootstrap,
                GroupId = "bench",
                EnableAutoCommit = false,
                FetchMaxBytes = 52428800,
                MaxPartitionFetchBytes = 10485760,
            };
            using var consumer = new ConsumerBuilder<Ignore, byte[]>(consumerConfig).Build();
            consumer.Assign(new TopicPartitionOffset(partition, Offset.Beginning));
            var total = messages + 1;
            var seen = 0;
            while (seen < total)
            {
                var result = consumer.Consume(TimeSpan.FromSeconds(10)) ?? throw new TimeoutException($"consumer stalled after {seen} of {total} messages");
                seen++;
            }

            consumer.Close();
        });

        return new RunResult(messages, produce, consume);
    }

    private static Phase Measure(Func<(TimeSpan Cpu, long Rss)>? sampleBroker, Action action)
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
        var watch = Stopwatch.StartNew();
        action();
        watch.Stop();
        sampling.Cancel();
        sampler.Wait();
        var after = sampleBroker?.Invoke();
        var cpu = before is { } b && after is { } a ? a.Cpu - b.Cpu : (TimeSpan?)null;
        return new Phase(watch.Elapsed, cpu, sampleBroker is null ? null : Math.Max(peakRss, after!.Value.Rss));
    }
}

internal sealed record Phase(TimeSpan Elapsed, TimeSpan? BrokerCpu, long? BrokerPeakRss);

internal sealed record RunResult(int Messages, Phase Produce, Phase Consume)
{
    public double ProduceRate => Messages / Produce.Elapsed.TotalSeconds;

    public double ConsumeRate => Messages / Consume.Elapsed.TotalSeconds;
}
