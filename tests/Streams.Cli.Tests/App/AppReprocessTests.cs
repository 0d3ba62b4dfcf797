using Confluent.Kafka;
using Streamiz.Kafka.Net;
using Streamiz.Kafka.Net.SerDes;
using Streamiz.Kafka.Net.Table;
using Streams.Cli.Tests.Support;

namespace Streams.Cli.Tests.App;

/// <summary>A real Streamiz application (a word count: a repartition topic, a RocksDB store and its changelog) reset by the CLI.</summary>
[Collection(ClusterCollection.Name)]
public sealed class AppReprocessTests(ClusterFixture cluster) : IDisposable
{
    private readonly string _stateDir = Path.Combine(Path.GetTempPath(), "streams-cli-streamiz", Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_stateDir))
        {
            Directory.Delete(_stateDir, recursive: true);
        }
    }

    private async Task RunUntilAsync(string appId, string input, string output, Func<List<(string Key, string Value)>, bool> done)
    {
        var builder = new StreamBuilder();
        builder.Stream<string, string>(input)
            .GroupBy((_, word, _) => word)
            .Count(RocksDb.As<string, long>("counts").WithValueSerdes(new Int64SerDes()))
            .ToStream()
            .MapValues((count, _) => count.ToString(System.Globalization.CultureInfo.InvariantCulture))
            .To(output);
        var config = new StreamConfig<StringSerDes, StringSerDes>
        {
            ApplicationId = appId,
            BootstrapServers = cluster.Bootstrap,
            AutoOffsetReset = AutoOffsetReset.Earliest,
            StateDir = _stateDir,
            CommitIntervalMs = 100,
        };
        using var stream = new KafkaStream(builder.Build(), config);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await stream.StartAsync(timeout.Token);
        using var reader = new ConsumerBuilder<string, string>(new ConsumerConfig { BootstrapServers = cluster.Bootstrap, GroupId = "reader-" + Guid.NewGuid(), EnableAutoCommit = false }).Build();
        reader.Assign(new TopicPartitionOffset(output, 0, Offset.Beginning));
        var seen = new List<(string, string)>();
        while (!done(seen))
        {
            Assert.False(timeout.IsCancellationRequested, $"the application did not produce the expected counts; saw {string.Join(", ", seen)}");
            if (reader.Consume(TimeSpan.FromMilliseconds(100)) is { IsPartitionEOF: false } result)
            {
                seen.Add((result.Message.Key, result.Message.Value));
            }
        }
    }

    [Fact]
    public async Task After_a_reset_the_application_reprocesses_from_the_start_with_fresh_state()
    {
        var id = Guid.NewGuid().ToString("N")[..8];
        var appId = $"wordcount-{id}";
        var input = $"words-{id}";
        var output = $"counts-{id}";
        await cluster.CreateTopicAsync(input, 1);
        await cluster.CreateTopicAsync(output, 1);
        using (var producer = new ProducerBuilder<string, string>(new ProducerConfig { BootstrapServers = cluster.Bootstrap }).Build())
        {
            foreach (var word in new[] { "a", "b", "a", "c", "a" })
            {
                await producer.ProduceAsync(input, new Message<string, string> { Key = word, Value = word });
            }
        }

        // First run: a is counted 3 times.
        await RunUntilAsync(appId, input, output, seen => seen.Count(s => s.Key == "a") == 3);
        Assert.True(Directory.Exists(Path.Combine(_stateDir, appId)));

        var reset = await cluster.RunAsync("app", "reset", "--application-id", appId, "--state-dir", _stateDir, "--execute", "-o", "json");

        Assert.True(reset.ExitCode == 0, reset.ToString());
        Assert.Equal(2, reset.Json.GetProperty("deleteTopics").GetArrayLength());
        Assert.False(Directory.Exists(Path.Combine(_stateDir, appId)));

        // Second run: the input is read again and counts start over (a kept store or changelog would go on to 4, 5, 6).
        await RunUntilAsync(appId, input, output, seen => seen.Count(s => s.Key == "a") == 6);
        var counts = await cluster.RunAsync("tail", output, "-o", "json");
        var aCounts = counts.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => System.Text.Json.JsonDocument.Parse(l).RootElement)
            .Where(r => r.GetProperty("key").GetString() == "a")
            .Select(r => r.GetProperty("value").GetString())
            .ToList();
        Assert.Equal(["1", "2", "3", "1", "2", "3"], aCounts);
    }
}
