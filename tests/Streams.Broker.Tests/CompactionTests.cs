using Confluent.Kafka;
using Streams.Broker.Tests.Support;
using Xunit.Abstractions;

namespace Streams.Broker.Tests;

/// <summary>Compaction by the running broker, seen through real clients.</summary>
public sealed class CompactionTests(ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly Dictionary<string, string> CleanerSettings = new()
    {
        ["log.cleaner.enable"] = "true",
        ["log.cleaner.backoff.ms"] = "100",
        ["offsets.topic.segment.bytes"] = "4096",
    };

    private TestBroker _broker = null!;

    public async Task InitializeAsync() => _broker = await TestBroker.StartAsync(output, CleanerSettings);

    public async Task DisposeAsync() => await _broker.DisposeAsync();

    private static async Task EventuallyAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"timed out waiting until {what}");
            await Task.Delay(100);
        }
    }

    private bool Cleaned(string log) => _broker.Broker.Context.Logs.Cleaner?.LastRuns.ContainsKey(log) == true;

    [Fact]
    public async Task A_consumer_from_the_beginning_reads_each_keys_latest_value_after_compaction()
    {
        const string topic = "latest-per-key";
        const int keys = 1000, updates = 5;
        await Clients.CreateTopicAsync(_broker.BootstrapServers, topic, configs: new() { ["cleanup.policy"] = "compact", ["segment.bytes"] = "32768" });
        // Two idempotent producers: the first one's batches are all superseded by the second's, so its last batch
        // stays as an empty batch (for its producer state) that consumers must read past.
        for (var p = 0; p < 2; p++)
        {
            using var producer = Clients.Producer<string, string>(_broker.BootstrapServers, c =>
            {
                c.LingerMs = 5;
                c.EnableIdempotence = true;
                c.BatchNumMessages = 100; // many batches, so segments roll at segment.bytes whatever the client timing
            });
            for (var u = p == 0 ? 0 : 1; u < (p == 0 ? 1 : updates); u++)
            {
                for (var k = 0; k < keys; k++)
                {
                    producer.Produce(topic, new Message<string, string> { Key = $"key-{k}", Value = $"value-{k}-{u}" });
                }
            }

            producer.Flush(TimeSpan.FromSeconds(30));
        }

        await EventuallyAsync(() => Cleaned(topic + "-0"), "the cleaner compacted the topic");

        using var consumer = Clients.Consumer<string, string>(_broker.BootstrapServers, c => c.EnablePartitionEof = true);
        consumer.Assign(new TopicPartitionOffset(topic, 0, Offset.Beginning));
        var latest = new Dictionary<string, string>();
        var read = 0;
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            var result = consumer.Consume(TimeSpan.FromMilliseconds(500));
            if (result is null)
            {
                continue;
            }

            if (result.IsPartitionEOF)
            {
                break;
            }

            read++;
            latest[result.Message.Key] = result.Message.Value;
        }

        Assert.Equal(keys, latest.Count);
        Assert.All(latest, kv => Assert.Equal(kv.Key.Replace("key-", "value-", StringComparison.Ordinal) + $"-{updates - 1}", kv.Value));
        Assert.True(read < keys * updates / 2, $"{read} records read back of {keys * updates} written");
        output.WriteLine($"{read} records read back of {keys * updates} written");
    }

    [Fact]
    public async Task Committed_offsets_survive_compaction_of_consumer_offsets_and_a_restart()
    {
        const string topic = "tracked";
        await Clients.CreateTopicAsync(_broker.BootstrapServers, topic, partitions: 2);
        using (var consumer = Clients.Consumer<string, string>(_broker.BootstrapServers, c => c.GroupId = "compacted-group"))
        {
            for (var i = 1; i <= 300; i++)
            {
                consumer.Commit([new TopicPartitionOffset(topic, 0, i), new TopicPartitionOffset(topic, 1, i * 2)]);
            }
        }

        await EventuallyAsync(() => Cleaned("__consumer_offsets-0"), "the cleaner compacted __consumer_offsets");
        var directory = Path.Combine(_broker.DataDirectory, "__consumer_offsets-0");
        var bytes = Directory.GetFiles(directory, "*.log").Sum(f => new FileInfo(f).Length);
        output.WriteLine($"__consumer_offsets holds {bytes} bytes after compaction");

        await _broker.RestartAsync();
        using var after = Clients.Consumer<string, string>(_broker.BootstrapServers, c => c.GroupId = "compacted-group");
        var committed = after.Committed([new TopicPartition(topic, 0), new TopicPartition(topic, 1)], TimeSpan.FromSeconds(10));
        Assert.Equal([300L, 600L], committed.OrderBy(c => c.Partition.Value).Select(c => c.Offset.Value));
    }
}

/// <summary>The broker process killed with SIGKILL while its cleaner swaps segments under a steady stream of updates.</summary>
public sealed class CompactionCrashTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), "streams-broker-tests", Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        try
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    [Fact]
    public async Task Kill_9_while_cleaning_loses_no_acknowledged_latest_value()
    {
        const string topic = "compacted-crash";
        const int keys = 50;
        var acknowledged = new Dictionary<string, (long Offset, int Value)>();
        using (var process = await BrokerProcess.StartAsync(_dataDirectory, "--set", "log.cleaner.backoff.ms=10"))
        {
            await Clients.CreateTopicAsync(process.BootstrapServers, topic, configs: new()
            {
                ["cleanup.policy"] = "compact",
                ["segment.bytes"] = "4096",
                ["min.cleanable.dirty.ratio"] = "0.01",
            });
            using var producer = Clients.Producer<string, int>(process.BootstrapServers, c =>
            {
                c.Acks = Acks.All;
                c.EnableIdempotence = true;
                c.LingerMs = 1;
                c.MessageTimeoutMs = 3000;
            });
            var killAt = DateTime.UtcNow.AddSeconds(3);
            var value = 0;
            var inFlight = new List<Task<DeliveryResult<string, int>>>();
            void Record(DeliveryResult<string, int> result)
            {
                if (!acknowledged.TryGetValue(result.Message.Key, out var known) || known.Offset < result.Offset.Value)
                {
                    acknowledged[result.Message.Key] = (result.Offset.Value, result.Message.Value);
                }
            }

            while (DateTime.UtcNow < killAt)
            {
                inFlight.Add(producer.ProduceAsync(topic, new Message<string, int> { Key = $"k{value % keys}", Value = value }));
                value++;
                if (inFlight.Count >= 100)
                {
                    await Task.WhenAll(inFlight);
                    inFlight.ForEach(t => Record(t.Result));
                    inFlight.Clear();
                }
            }

            process.Kill();
            foreach (var task in inFlight)
            {
                try
                {
                    Record(await task);
                }
                catch (ProduceException<string, int>)
                {
                    // Not acknowledged: no promise was made.
                }
            }

            output.WriteLine($"{value} produced, {acknowledged.Count} keys acknowledged before the kill");
        }

        await using var restarted = await TestBroker.StartAsync(output, dataDirectory: _dataDirectory);
        var directory = Path.Combine(_dataDirectory, topic + "-0");
        Assert.Empty(Directory.GetFiles(directory, "*.cleaned"));
        Assert.Empty(Directory.GetFiles(directory, "*.swap"));

        using var consumer = Clients.Consumer<string, int>(restarted.BootstrapServers, c => c.EnablePartitionEof = true);
        consumer.Assign(new TopicPartitionOffset(topic, 0, Offset.Beginning));
        var latest = new Dictionary<string, (long Offset, int Value)>();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            var result = consumer.Consume(TimeSpan.FromMilliseconds(500));
            if (result is { IsPartitionEOF: true })
            {
                break;
            }

            if (result is not null)
            {
                Assert.True(!latest.TryGetValue(result.Message.Key, out var seen) || seen.Offset < result.Offset.Value, "offsets increase");
                latest[result.Message.Key] = (result.Offset.Value, result.Message.Value);
            }
        }

        // Every acknowledged latest value is there, or a later write of the same key that won.
        Assert.All(acknowledged, a => Assert.True(latest.TryGetValue(a.Key, out var read) && read.Offset >= a.Value.Offset && (read.Offset > a.Value.Offset || read.Value == a.Value.Value),
            $"{a.Key}: acknowledged {a.Value}, read {(latest.TryGetValue(a.Key, out var r) ? r : default)}"));
    }
}
