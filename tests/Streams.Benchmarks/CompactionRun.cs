using System.Diagnostics;
using System.Diagnostics.Metrics;
using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Microsoft.Extensions.Logging.Abstractions;
using Spectre.Console;
using Streams.Broker;
using Streams.Broker.Storage.Cleaner;

namespace Streams.Benchmarks;

/// <summary>
/// Figures for the log cleaner, on in-process brokers so the cleaner's own statistics are at hand:
/// a compacted topic of <c>keys × updates</c> records before and after one cleaning (records, bytes, cleaner MB/s),
/// and produce throughput into a compacted topic with the cleaner off, then on and cleaning while the producer runs.
/// </summary>
internal static class CompactionRun
{
    private const string Topic = "compacted";
    private const int ValueSize = 100;

    public static async Task RunAsync(int keys, int updates)
    {
        var total = (long)keys * updates;
        AnsiConsole.MarkupLine($"[bold]{keys:N0}[/] keys × [bold]{updates:N0}[/] updates = {total:N0} records of {ValueSize} bytes, acks=all, idempotent, one partition, segment.bytes 16 MiB");

        // Cleaner off: produce, then roll and clean once by hand to measure what compaction does.
        double firstRate;
        (long Records, long Bytes, int Segments) before, after;
        CleanerStats stats;
        await using (var broker = await StartAsync(cleaner: false).ConfigureAwait(false))
        {
            firstRate = Produce(broker.BootstrapServers, keys, updates);
            var partition = broker.Context.Logs.GetPartition(Topic, 0)!;
            partition.UnderLock(() =>
            {
                partition.Log.Roll();
                return true;
            });
            before = Measure(partition.Log);
            using var cleaner = new LogCleaner(32 << 20, double.MaxValue, NullLogger.Instance, TimeProvider.System);
            stats = cleaner.Clean(Topic + "-0", partition.Log, partition.Config, partition.UnderLock, force: true)
                ?? throw new InvalidOperationException("nothing was cleaned");
            after = Measure(partition.Log);
        }

        // Produce throughput beside it: two brokers, cleaner off and on (checking every 100 ms, cleaning whenever half
        // the log is dirty), measured in alternation so machine noise hits both; the first round above was the warm-up.
        var rateOff = new List<double>();
        var rateOn = new List<double>();
        long runsDuring = 0, bytesReadDuring = 0;
        await using (var off = await StartAsync(cleaner: false).ConfigureAwait(false))
        await using (var on = await StartAsync(cleaner: true).ConfigureAwait(false))
        {
            using var listener = new MeterListener();
            listener.InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == CleanerMetrics.MeterName)
                {
                    l.EnableMeasurementEvents(instrument);
                }
            };
            listener.SetMeasurementEventCallback<long>((instrument, value, _, _) =>
            {
                if (instrument.Name == "streams.broker.cleaner.runs")
                {
                    Interlocked.Add(ref runsDuring, value);
                }
                else if (instrument.Name == "streams.broker.cleaner.bytes_read")
                {
                    Interlocked.Add(ref bytesReadDuring, value);
                }
            });
            listener.Start();
            for (var round = 0; round < 2; round++)
            {
                rateOff.Add(Produce(off.BootstrapServers, keys, updates));
                rateOn.Add(Produce(on.BootstrapServers, keys, updates));
            }
        }

        var shrink = new Table().Title("One cleaning of the whole log").AddColumns("", "before", "after", "after / before");
        shrink.AddRow("records", $"{before.Records:N0}", $"{after.Records:N0}", $"{(double)after.Records / before.Records:P2}");
        shrink.AddRow("bytes", $"{before.Bytes:N0}", $"{after.Bytes:N0}", $"{(double)after.Bytes / before.Bytes:P2}");
        shrink.AddRow("segments", $"{before.Segments:N0}", $"{after.Segments:N0}", "");
        shrink.AddRow("cleaner", $"{stats.Duration.TotalSeconds:N2} s", $"{stats.MegabytesPerSecond:N1} MB/s read", $"{stats.RecordsRead / stats.Duration.TotalSeconds:N0} records/s");
        AnsiConsole.Write(shrink);

        var produce = new Table().Title("Produce into a compacted topic").AddColumns("", "cleaner off", "cleaner on", "on / off");
        for (var round = 0; round < rateOff.Count; round++)
        {
            produce.AddRow($"produce msg/s, round {round + 1}", $"{rateOff[round]:N0}", $"{rateOn[round]:N0}", $"{rateOn[round] / rateOff[round]:P0}");
        }

        produce.AddRow("produce msg/s, both rounds", $"{rateOff.Average():N0}", $"{rateOn.Average():N0}", $"{rateOn.Average() / rateOff.Average():P0}");
        produce.AddRow("cleanings while producing", "0", $"{runsDuring:N0} ({bytesReadDuring / 1048576.0:N0} MB read)", "");
        produce.AddRow("(warm-up round, cleaner off)", $"{firstRate:N0}", "", "");
        AnsiConsole.Write(produce);
    }

    private static (long Records, long Bytes, int Segments) Measure(Streams.Broker.Storage.Log log)
    {
        long records = 0;
        foreach (var (_, _, header) in log.AllBatches())
        {
            records += header.RecordsCount;
        }

        var segments = log.SegmentsSnapshot;
        return (records, segments.Sum(s => s.Size), segments.Length);
    }

    private static async Task<KafkaBroker> StartAsync(bool cleaner)
    {
        var options = new BrokerOptions { Port = 0, DataDirectory = Path.Combine(Path.GetTempPath(), "streams-bench-compaction-" + Guid.NewGuid().ToString("N")) };
        options.Settings["log.cleaner.enable"] = cleaner ? "true" : "false";
        options.Settings["log.cleaner.backoff.ms"] = "100";
        var broker = await KafkaBroker.StartAsync(options).ConfigureAwait(false);
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = broker.BootstrapServers }).Build();
        await admin.CreateTopicsAsync([new TopicSpecification
        {
            Name = Topic,
            NumPartitions = 1,
            ReplicationFactor = 1,
            Configs = new Dictionary<string, string> { ["cleanup.policy"] = "compact", ["segment.bytes"] = (16 << 20).ToString(System.Globalization.CultureInfo.InvariantCulture) },
        }]).ConfigureAwait(false);
        return broker;
    }

    private static double Produce(string bootstrap, int keys, int updates)
    {
        var config = new ProducerConfig { BootstrapServers = bootstrap, Acks = Acks.All, EnableIdempotence = true, LingerMs = 5 };
        using var producer = new ProducerBuilder<string, string>(config).Build();
        var padding = new string('v', ValueSize - 16);
        var stopwatch = Stopwatch.StartNew();
        for (var u = 0; u < updates; u++)
        {
            for (var k = 0; k < keys; k++)
            {
                var message = new Message<string, string> { Key = $"key-{k:D6}", Value = $"{u:D8}{k:D8}{padding}" };
                while (true)
                {
                    try
                    {
                        producer.Produce(Topic, message);
                        break;
                    }
                    catch (ProduceException<string, string> e) when (e.Error.Code == ErrorCode.Local_QueueFull)
                    {
                        producer.Poll(TimeSpan.FromMilliseconds(50));
                    }
                }
            }
        }

        producer.Flush(TimeSpan.FromMinutes(5));
        return (double)keys * updates / stopwatch.Elapsed.TotalSeconds;
    }
}
