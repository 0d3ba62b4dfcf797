using Confluent.Kafka;
using Spectre.Console;
using Streams.Benchmarks;

// Produce/consume throughput of the embedded broker, side by side with librdkafka's in-memory mock cluster as the
// baseline (same client, same machine, same workload). Usage: dotnet run -c Release --project tests/Streams.Benchmarks -- [messages] [--warmup messages] [--rounds N] [--fsync]
// Start-up (broker start -> first ApiVersions answer, worker start -> ready; other builds side by side): ... -- startup [runs] [--broker label=path]... [--worker label=path]... [--no-worker]
// Restart with many partitions, clean and unclean (and open fds): ... -- restart [MB per partition] [--partitions N] [--batch-records N] [--baseline old/Streams.Broker.dll]
// Consumer groups (throughput of 1, 2 and 4 members, rebalance latency): ... -- groups [messages]
// Rebalance latency, classic vs KIP-848 consumer protocol, one line: ... -- rebalance848 [repeats]
// The application end to end (publish -> order latency at steady rates, then the highest rate kept up, beside a
// consume->produce pipe as ceiling): ... -- pipeline [events/s: one fixed-rate step only] [--step-seconds N] [--Streams:PollMs=100 ...] [--publisher:linger.ms=5 ...]
// The same with the worker's console open and tailing cart-events vs closed, alternating steps: ... -- pipeline 1000 --console
// Security (produce on PLAINTEXT vs SSL vs SASL_SSL, SCRAM connection setup at 4096/8192 iterations): ... -- security [messages]
// Log compaction (1,000 keys × N updates before/after a cleaning, cleaner MB/s, produce with the cleaner off vs on): ... -- compaction [updates]
// Notification fan-out (SSE clients on a worker process at 1,000 orders/s: delivery p50/p99, worker CPU and RSS): ... -- fanout [clients]
// Transactions (produce msg/s: idempotent vs transactional committing every 1,000 records / every 100 ms): ... -- txn [messages]
// Authorization (ns per ACL check against 10,000 ACLs, produce with the authorizer off vs on): ... -- acl [messages]
// Broker memory (RSS per partition and per idle connection): ... -- memory [partitions] [--connections N]
const int ValueSize = 100;
var count = args.Where((a, i) => i == 0 || !args[i - 1].StartsWith("--", StringComparison.Ordinal)).FirstOrDefault(a => int.TryParse(a, out _)) is { } n ? int.Parse(n, System.Globalization.CultureInfo.InvariantCulture) : (int?)null;
if (args.Contains("pipeline"))
{
    // End to end on the embedded default: publish -> topology -> order, beside a plain consume->produce pipe.
    int[] rates = count is { } fixedRate ? [fixedRate] : [1000, 2000, 4000];
    // Worker settings to compare (e.g. --Streams:PollMs=100) are passed on to the worker.
    var workerArgs = args.Where(a => a.StartsWith("--Streams:", StringComparison.Ordinal) || a.StartsWith("--Logging:", StringComparison.Ordinal)).ToArray();
    var stepSeconds = ArgValue("--step-seconds") is { } ss ? int.Parse(ss, System.Globalization.CultureInfo.InvariantCulture) : 10;
    // Publisher (the producing app's) Kafka settings to compare, e.g. --publisher:linger.ms=5.
    var publisherSettings = args.Where(a => a.StartsWith("--publisher:", StringComparison.Ordinal)).Select(a => a["--publisher:".Length..].Split('=', 2))
        .ToDictionary(kv => kv[0], kv => kv[1], StringComparer.Ordinal);
    await PipelineRun.RunAsync(rates, TimeSpan.FromSeconds(stepSeconds), maxSteps: count is null ? 12 : 0, workerArgs, withConsole: args.Contains("--console"), publisherSettings).ConfigureAwait(false);
    return;
}

if (args.Contains("security"))
{
    // Produce on PLAINTEXT vs SSL vs SASL_SSL, SCRAM connection setup at 4096 and 8192 iterations.
    await SecurityRun.RunAsync(count ?? 500_000, ValueSize).ConfigureAwait(false);
    return;
}

if (args.Contains("fanout"))
{
    // Notification fan-out: N SSE clients (default 1,000) on a worker process receiving 1,000 orders/s for 20 s.
    await FanoutRun.RunAsync(count ?? 1000, eventsPerSecond: 1000, TimeSpan.FromSeconds(20)).ConfigureAwait(false);
    return;
}

if (args.Contains("txn"))
{
    await TxnRun.RunAsync(count ?? 200_000, ValueSize).ConfigureAwait(false);
    return;
}

if (args.Contains("acl"))
{
    await AclRun.RunAsync(count ?? 500_000, ValueSize).ConfigureAwait(false);
    return;
}

if (args.Contains("compaction"))
{
    await CompactionRun.RunAsync(1000, count ?? 1000).ConfigureAwait(false);
    return;
}

if (args.Contains("memory"))
{
    var memory = await MemoryRun.RunAsync(count ?? 1000, ArgValue("--connections") is { } cn ? int.Parse(cn, System.Globalization.CultureInfo.InvariantCulture) : 100).ConfigureAwait(false);
    AnsiConsole.WriteLine($"broker RSS: {memory.StartRss / 1048576.0:F1} MiB after start, {memory.PartitionsRss / 1048576.0:F1} MiB with {memory.Partitions:N0} more partitions, {memory.ConnectionsRss / 1048576.0:F1} MiB with {memory.Connections} idle connections");
    Console.WriteLine(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"memory: {memory.BytesPerPartition:F0} bytes per partition, {memory.BytesPerConnection:F0} bytes per idle connection ({memory.Partitions} partitions, {memory.Connections} connections)"));
    return;
}

if (args.Contains("startup"))
{
    // Process start -> first answered ApiVersions (fresh data directory each run), and worker start -> ready.
    await StartupRun.MainAsync(args, count).ConfigureAwait(false);
    return;
}

if (args.Contains("restart"))
{
    // Broker restart with many partitions: ... -- restart [MB per partition] [--partitions N] [--baseline path/to/old/Streams.Broker.dll]
    var partitionCount = ArgValue("--partitions") is { } pc ? int.Parse(pc, System.Globalization.CultureInfo.InvariantCulture) : 1000;
    var megabytes = count ?? 2;
    var watch = System.Diagnostics.Stopwatch.StartNew();
    var recordsPerBatch = ArgValue("--batch-records") is { } br ? int.Parse(br, System.Globalization.CultureInfo.InvariantCulture) : 100;
    var directory = RestartRun.WriteDataDirectory(partitionCount, megabytes, segmentBytes: 512 * 1024, recordsPerBatch);
    var files = Directory.GetFiles(directory, "*.log", SearchOption.AllDirectories);
    AnsiConsole.MarkupLine($"wrote {partitionCount} partitions x {megabytes} MB ({files.Sum(f => new FileInfo(f).Length) / (1024 * 1024):N0} MB in {files.Length:N0} segments of 512 KB, {recordsPerBatch} records of 150 bytes per batch) in {watch.Elapsed.TotalSeconds:F0} s");
    var builds = new List<string> { Path.Combine(AppContext.BaseDirectory, "Streams.Broker.dll") };
    if (ArgValue("--baseline") is { } baselineDll)
    {
        builds.Insert(0, baselineDll);
    }

    var restartTable = new Table().AddColumns("broker", "clean restart ms (each run)", "unclean restart ms (each run)", "open fds after start");
    try
    {
        foreach (var build in builds)
        {
            var figures = await RestartRun.MeasureAsync(build, directory, runs: 3).ConfigureAwait(false);
            restartTable.AddRow(build == builds[^1] ? "this build" : "baseline " + Markup.Escape(Path.GetFileName(Path.GetDirectoryName(Path.GetDirectoryName(Path.GetDirectoryName(Path.GetDirectoryName(Path.GetDirectoryName(build))))))!), string.Join(", ", figures.CleanMs.Select(m => m.ToString("F0", System.Globalization.CultureInfo.InvariantCulture))), string.Join(", ", figures.UncleanMs.Select(m => m.ToString("F0", System.Globalization.CultureInfo.InvariantCulture))), $"{figures.OpenFds:N0}");
        }
    }
    finally
    {
        Directory.Delete(directory, recursive: true);
    }

    AnsiConsole.Write(restartTable);
    return;
}

if (args.Contains("rebalance848"))
{
    // Rebalance latency (a new member subscribes -> every member consuming) of the classic protocol (eager, librdkafka's
    // range assignor) and of KIP-848 (server-side uniform assignor, incremental), same broker, same heartbeat interval.
    await RebalanceComparisonRun.RunAsync(members: 3, repeats: count ?? 5, heartbeatIntervalMs: 3000).ConfigureAwait(false);
    return;
}

if (args.Contains("groups"))
{
    await RunGroupsAsync(count ?? 1_200_000).ConfigureAwait(false);
    return;
}

var messages = count ?? 2_000_000;
var fsyncEveryBatch = args.Contains("--fsync");

// Both targets first take a discarded run of the same workload: the broker is a long-running process, and in a cold
// one the tiered JIT compiles the record path for the first seconds (a third of the broker's CPU in a 2M-message run,
// the parsing loops still unoptimized), while the mock is native code; the client process warms up the same way (before
// this, the mock ran first with a cold client, which flattered the broker). Then the targets take turns, round by round,
// so the shared machine's load falls on both alike; the table gives each figure's median over the rounds.
var warmup = ArgValue("--warmup") is { } w ? int.Parse(w, System.Globalization.CultureInfo.InvariantCulture) : 500_000;
var rounds = ArgValue("--rounds") is { } r ? int.Parse(r, System.Globalization.CultureInfo.InvariantCulture) : 3;

AnsiConsole.MarkupLine($"[bold]{messages:N0}[/] messages of {ValueSize} bytes, acks=all, idempotent, linger 5 ms, one partition; each target warmed up by a discarded run of {warmup:N0}, then {rounds} rounds taking turns");

var baselines = new List<RunResult>();
var embeddeds = new List<RunResult>();
using (var mockOwner = new AdminClientBuilder(MockClusterConfig()).Build())
await using (var broker = await BrokerProcess.StartAsync(fsyncEveryBatch ? ["log.flush.interval.messages=1"] : []).ConfigureAwait(false))
{
    var mock = mockOwner.GetMetadata(TimeSpan.FromSeconds(10)).Brokers[0];
    var mockBootstrap = $"{mock.Host}:{mock.Port}";
    if (warmup > 0)
    {
        await ThroughputRun.RunAsync(mockBootstrap, warmup, ValueSize, null).ConfigureAwait(false);
        await ThroughputRun.RunAsync(broker.BootstrapServers, warmup, ValueSize, null).ConfigureAwait(false);
    }

    for (var round = 0; round < rounds; round++)
    {
        baselines.Add(await ThroughputRun.RunAsync(mockBootstrap, messages, ValueSize, null).ConfigureAwait(false));
        embeddeds.Add(await ThroughputRun.RunAsync(broker.BootstrapServers, messages, ValueSize, broker.Sample).ConfigureAwait(false));
    }
}

var produceRatios = baselines.Zip(embeddeds, (b, e) => e.ProduceRate / b.ProduceRate).ToList();
var (mockProduce, brokerProduce) = (Median(baselines, x => x.ProduceRate), Median(embeddeds, x => x.ProduceRate));
var (mockRaw, brokerRaw) = (Median(baselines, x => x.RawConsumeRate), Median(embeddeds, x => x.RawConsumeRate));
var (mockConsume, brokerConsume) = (Median(baselines, x => x.ConsumeRate), Median(embeddeds, x => x.ConsumeRate));
double? mockKcat = baselines[0].KcatConsumeRate is null ? null : Median(baselines, x => x.KcatConsumeRate!.Value);
double? brokerKcat = embeddeds[0].KcatConsumeRate is null ? null : Median(embeddeds, x => x.KcatConsumeRate!.Value);
var table = new Table().AddColumns($"median of {rounds} rounds", "librdkafka mock (baseline)", fsyncEveryBatch ? "embedded broker (fsync per batch)" : "embedded broker", "ratio");
table.AddRow("produce msg/s", $"{mockProduce:N0}", $"{brokerProduce:N0}", $"{brokerProduce / mockProduce:P0}");
table.AddRow("produce ratio in each round", "", "", string.Join(", ", produceRatios.Select(x => x.ToString("N2", System.Globalization.CultureInfo.InvariantCulture))));
table.AddRow("consume msg/s (raw Fetch reader)", $"{mockRaw:N0}", $"{brokerRaw:N0}", $"{brokerRaw / mockRaw:P0}");
table.AddRow("consume msg/s (.NET consumer)", $"{mockConsume:N0}", $"{brokerConsume:N0}", $"{brokerConsume / mockConsume:P0}");
table.AddRow("consume msg/s (kcat, a C client)", Rate(mockKcat), Rate(brokerKcat),
    brokerKcat is { } k && mockKcat is { } kb ? $"{k / kb:P0}" : "no /usr/bin/kcat");
table.AddRow("messages read back (last round)", $"{baselines[^1].Consumed:N0}", $"{embeddeds[^1].Consumed:N0}", "");
table.AddRow("consume / produce (raw)", $"{mockRaw / mockProduce:N2}x", $"{brokerRaw / brokerProduce:N2}x", "");
table.AddRow("consume / produce (kcat)", Ratio(mockKcat, mockProduce), Ratio(brokerKcat, brokerProduce), "");
table.AddRow("consume / produce (.NET)", $"{mockConsume / mockProduce:N2}x", $"{brokerConsume / brokerProduce:N2}x", "");
table.AddRow("client process CPU while producing", ClientCpu(baselines, x => x.Produce) + " (mock included)", ClientCpu(embeddeds, x => x.Produce), "");
table.AddRow("broker CPU while producing", "in client", Cpu(embeddeds, x => x.Produce), "");
table.AddRow("broker CPU while consuming (.NET)", "in client", Cpu(embeddeds, x => x.Consume), "");
table.AddRow("broker CPU while consuming (raw)", "in client", Cpu(embeddeds, x => x.RawConsume), "");
table.AddRow("broker peak RSS", "in client", $"{embeddeds.Max(e => Math.Max(e.Produce.BrokerPeakRss ?? 0, e.Consume.BrokerPeakRss ?? 0)) / 1048576.0:N0} MiB", "");
AnsiConsole.Write(table);
Console.WriteLine(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"broker: produce {brokerProduce:F0} msg/s, mock {mockProduce:F0} msg/s, ratio {brokerProduce / mockProduce:F2} (rounds {string.Join(" ", produceRatios.Select(x => x.ToString("F2", System.Globalization.CultureInfo.InvariantCulture)))}); consume {brokerConsume:F0} msg/s; kcat consume {brokerKcat ?? 0:F0} msg/s ({(brokerKcat ?? 0) / brokerProduce:F2}x produce)"));

static double Median(List<RunResult> runs, Func<RunResult, double> value)
{
    var sorted = runs.Select(value).Order().ToList();
    return sorted[sorted.Count / 2];
}

static string ClientCpu(List<RunResult> runs, Func<RunResult, Phase> phase) =>
    $"{Median(runs, x => phase(x).ClientCpu.TotalSeconds / phase(x).Elapsed.TotalSeconds):P0} of one core";

static string Cpu(List<RunResult> runs, Func<RunResult, Phase> phase) =>
    runs.All(x => phase(x).BrokerCpu is not null) ? $"{Median(runs, x => phase(x).BrokerCpu!.Value.TotalSeconds / phase(x).Elapsed.TotalSeconds):P0} of one core" : "n/a";

static string Rate(double? rate) => rate is { } r ? $"{r:N0}" : "-";

static string Ratio(double? rate, double produce) => rate is { } r ? $"{r / produce:N2}x" : "-";

static async Task RunGroupsAsync(int messages)
{
    AnsiConsole.MarkupLine($"[bold]{messages:N0}[/] messages of {ValueSize} bytes in a {GroupRun.Partitions}-partition topic; consumers subscribe (eager range assignor, librdkafka defaults otherwise)");
    await using var broker = await BrokerProcess.StartAsync([]).ConfigureAwait(false);
    var topic = await GroupRun.FillTopicAsync(broker.BootstrapServers, messages, ValueSize).ConfigureAwait(false);

    var reads = new List<GroupReadResult>();
    foreach (var members in new[] { 1, 2, 4 })
    {
        reads.Add(await GroupRun.ReadAsync(broker.BootstrapServers, topic, messages, members, broker.Sample).ConfigureAwait(false));
    }

    var throughput = new Table().Title("Group reads the whole topic").AddColumns("members", "msg/s (from Subscribe)", "msg/s (first to last message)", "join (Subscribe to first message)", "messages read", "broker CPU");
    foreach (var read in reads)
    {
        throughput.AddRow($"{read.Members}", $"{read.Rate:N0}", $"{read.SteadyRate:N0}", $"{read.ToFirstMessage.TotalMilliseconds:N0} ms", $"{read.Received:N0}",
            $"{read.BrokerCpu.TotalSeconds / read.ToLastMessage.TotalSeconds:P0} of one core");
    }

    AnsiConsole.Write(throughput);

    // Old members learn of a rebalance from their next heartbeat, so librdkafka's default heartbeat.interval.ms
    // (3 s) bounds the wait (max = one interval plus the coordinator's and the clients' own work); the 500 ms rows
    // show how much of it is that wait.
    const int Repeats = 5;
    var rebalances = new List<RebalanceResult>();
    foreach (var heartbeat in new[] { 3000, 500 })
    {
        foreach (var members in new[] { 1, 2, 4 })
        {
            rebalances.Add(await GroupRun.MeasureRebalanceAsync(broker.BootstrapServers, members, Repeats, heartbeat).ConfigureAwait(false));
        }
    }

    var latency = new Table().Title($"One member joins a consuming group: Subscribe to every member consuming again ({Repeats} samples)")
        .AddColumns("members before", "heartbeat.interval.ms", "median", "max", "newcomer assigned (median)");
    foreach (var r in rebalances)
    {
        latency.AddRow($"{r.Members} + 1", $"{r.HeartbeatIntervalMs}", $"{r.Median.TotalMilliseconds:N0} ms", $"{r.Max.TotalMilliseconds:N0} ms",
            $"{r.NewcomerAssigned.Order().ElementAt(r.NewcomerAssigned.Count / 2).TotalMilliseconds:N0} ms");
    }

    AnsiConsole.Write(latency);
}

static AdminClientConfig MockClusterConfig()
{
    var config = new AdminClientConfig();
    config.Set("test.mock.num.brokers", "1");
    return config;
}

string? ArgValue(string name) => Array.IndexOf(args, name) is var i and >= 0 && i + 1 < args.Length ? args[i + 1] : null;
