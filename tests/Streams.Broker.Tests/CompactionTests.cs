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
