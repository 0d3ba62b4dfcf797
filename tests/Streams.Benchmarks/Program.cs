using Confluent.Kafka;
using Spectre.Console;
using Streams.Benchmarks;

// Produce/consume throughput of the embedded broker, side by side with librdkafka's in-memory mock cluster as the
// baseline (same client, same machine, same workload). Usage: dotnet run -c Release --project tests/Streams.Benchmarks -- [messages] [--fsync]
var messages = args.FirstOrDefault(a => int.TryParse(a, out _)) is { } n ? int.Parse(n, System.Globalization.CultureInfo.InvariantCulture) : 2_000_000;
var fsyncEveryBatch = args.Contains("--fsync");
const int ValueSize = 100;

AnsiConsole.MarkupLine($"[bold]{messages:N0}[/] messages of {ValueSize} bytes, acks=all, idempotent, linger 5 ms, one partition");

RunResult baseline;
using (var mockOwner = new AdminClientBuilder(MockClusterConfig()).Build())
{
    var broker = mockOwner.GetMetadata(TimeSpan.FromSeconds(10)).Brokers[0];
    baseline = await ThroughputRun.RunAsync($"{broker.Host}:{broker.Port}", messages, ValueSize, null).ConfigureAwait(false);
}

RunResult embedded;
await using (var broker = await BrokerProcess.StartAsync(fsyncEveryBatch ? ["log.flush.interval.messages=1"] : []).ConfigureAwait(false))
{
    embedded = await ThroughputRun.RunAsync(broker.BootstrapServers, messages, ValueSize, broker.Sample).ConfigureAwait(false);
}

var table = new Table().AddColumns("", "librdkafka mock (baseline)", fsyncEveryBatch ? "embedded broker (fsync per batch)" : "embedded broker", "ratio");
table.AddRow("produce msg/s", $"{baseline.ProduceRate:N0}", $"{embedded.ProduceRate:N0}", $"{embedded.ProduceRate / baseline.ProduceRate:P0}");
table.AddRow("consume msg/s (raw Fetch reader)", $"{baseline.RawConsumeRate:N0}", $"{embedded.RawConsumeRate:N0}", $"{embedded.RawConsumeRate / baseline.RawConsumeRate:P0}");
table.AddRow("consume msg/s (.NET consumer)", $"{baseline.ConsumeRate:N0}", $"{embedded.ConsumeRate:N0}", $"{embedded.ConsumeRate / baseline.ConsumeRate:P0}");
table.AddRow("messages read back", $"{baseline.Consumed:N0}", $"{embedded.Consumed:N0}", "");
table.AddRow("consume / produce (raw)", $"{baseline.RawConsumeRate / baseline.ProduceRate:N2}x", $"{embedded.RawConsumeRate / embedded.ProduceRate:N2}x", "");
table.AddRow("consume / produce (.NET)", $"{baseline.ConsumeRate / baseline.ProduceRate:N2}x", $"{embedded.ConsumeRate / embedded.ProduceRate:N2}x", "");
table.AddRow("broker CPU while producing", "in client", Cpu(embedded.Produce), "");
table.AddRow("broker CPU while consuming (.NET)", "in client", Cpu(embedded.Consume), "");
table.AddRow("broker CPU while consuming (raw)", "in client", Cpu(embedded.RawConsume), "");
table.AddRow("broker peak RSS", "in client", $"{Math.Max(embedded.Produce.BrokerPeakRss ?? 0, embedded.Consume.BrokerPeakRss ?? 0) / 1048576.0:N0} MiB", "");
AnsiConsole.Write(table);

static string Cpu(Phase phase) =>
    phase.BrokerCpu is { } cpu ? $"{cpu.TotalSeconds / phase.Elapsed.TotalSeconds:P0} of one core" : "n/a";

static AdminClientConfig MockClusterConfig()
{
    var config = new AdminClientConfig();
    config.Set("test.mock.num.brokers", "1");
    return config;
}
