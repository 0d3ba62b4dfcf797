using Confluent.Kafka;
using Streams.Broker.Tests.Support;
using Xunit.Abstractions;

namespace Streams.Broker.Tests.Storage;

/// <summary>
/// Data directories written by an earlier release must open: the fixture under <c>Fixtures/format-v1</c> was
/// written by the release before on-disk format versioning (no <c>format.version</c> file = version 1). See the
/// README next to it for how it was made.
/// </summary>
public sealed class FormatFixtureTests(ITestOutputHelper output)
{
    public const string GroupId = "fixture-group";

    /// <summary>What the fixture holds, shared by the generator and the check so the two cannot drift apart.</summary>
    private const int OrdersPerPartition = 20;
    private const int ConfiguredRecords = 5;
    private const long ConfiguredDeletedBelow = 2;
    private static readonly (int Partition, long Offset)[] Committed = [(0, 7), (1, 3)];

    /// <summary>Writes the fixture; runs only when STREAMS_REGENERATE_FIXTURE names the target directory.</summary>
    [Fact]
    public async Task Regenerate_fixture_when_asked()
    {
        var target = Environment.GetEnvironmentVariable("STREAMS_REGENERATE_FIXTURE");
        if (string.IsNullOrEmpty(target))
        {
            return;
        }

        if (Directory.Exists(target))
        {
            Directory.Delete(target, recursive: true);
        }

        var options = new BrokerOptions { Port = 0, DataDirectory = target };
        await using (var broker = await KafkaBroker.StartAsync(options))
        {
            await Clients.CreateTopicAsync(broker.BootstrapServers, "orders", partitions: 2);
            await Clients.CreateTopicAsync(broker.BootstrapServers, "configured", configs: new() { ["retention.ms"] = "-1", ["max.message.bytes"] = "100000" });
            using (var producer = Clients.Producer<string, string>(broker.BootstrapServers, c => { c.Acks = Acks.All; c.EnableIdempotence = true; }))
            {
                for (var i = 0; i < OrdersPerPartition; i++)
                {
                    for (var p = 0; p < 2; p++)
                    {
                        await producer.ProduceAsync(new TopicPartition("orders", p), new Message<string, string> { Key = $"k{p}-{i}", Value = $"v{p}-{i}" });
                    }
                }

                for (var i = 0; i < ConfiguredRecords; i++)
                {
                    await producer.ProduceAsync("configured", new Message<string, string> { Key = $"c{i}", Value = $"cv{i}" });
                }
            }

            using (var admin = Clients.Admin(broker.BootstrapServers))
            {
                await admin.DeleteRecordsAsync([new TopicPartitionOffset("configured", 0, ConfiguredDeletedBelow)]);
            }

            using var consumer = Clients.Consumer<string, string>(broker.BootstrapServers, c => c.GroupId = GroupId);
            consumer.Assign(Committed.Select(c => new TopicPartitionOffset("orders", c.Partition, c.Offset)));
            consumer.Commit(Committed.Select(c => new TopicPartitionOffset("orders", c.Partition, c.Offset)));
            consumer.Close();
        }

        output.WriteLine($"fixture written to {target}");
    }

    [Fact]
    public async Task A_data_directory_written_by_format_1_opens_with_topics_records_offsets_and_groups()
    {
        var copy = Path.Combine(Path.GetTempPath(), "streams-broker-tests", Guid.NewGuid().ToString("N"));
        CopyDirectory(FixturePath("format-v1"), copy);
        await using var broker = await TestBroker.StartAsync(output, dataDirectory: copy);

        using (var admin = Clients.Admin(broker.BootstrapServers))
        {
            var metadata = admin.GetMetadata(TimeSpan.FromSeconds(10));
            Assert.Equal(2, metadata.Topics.Single(t => t.Topic == "orders").Partitions.Count);
            Assert.Single(metadata.Topics.Single(t => t.Topic == "configured").Partitions);

            var committed = await admin.ListConsumerGroupOffsetsAsync([new ConsumerGroupTopicPartitions(GroupId, null)]);
            var offsets = committed.Single().Partitions.ToDictionary(p => p.Partition.Value, p => p.Offset.Value);
            foreach (var (partition, offset) in Committed)
            {
                Assert.Equal(offset, offsets[partition]);
            }
        }

        var orders = Clients.ReadAll<string, string>(broker.BootstrapServers, "orders", 2 * OrdersPerPartition, partitions: 2);
        Assert.Equal(2 * OrdersPerPartition, orders.Count);
        foreach (var record in orders)
        {
            var p = record.Partition.Value;
            Assert.Equal($"k{p}-{record.Offset.Value}", record.Message.Key);
            Assert.Equal($"v{p}-{record.Offset.Value}", record.Message.Value);
        }

        var configured = Clients.ReadAll<string, string>(broker.BootstrapServers, "configured", ConfiguredRecords - (int)ConfiguredDeletedBelow);
        Assert.Equal([.. Enumerable.Range((int)ConfiguredDeletedBelow, ConfiguredRecords - (int)ConfiguredDeletedBelow).Select(i => $"cv{i}")], configured.Select(r => r.Message.Value));
        Assert.Equal(ConfiguredDeletedBelow, configured[0].Offset.Value);

        // The upgrade is recorded, and the next write continues after the stored offsets.
        Assert.True(File.Exists(Path.Combine(copy, "meta", "format.version")));
        using var producer = Clients.Producer<string, string>(broker.BootstrapServers, c => c.Acks = Acks.All);
        var next = await producer.ProduceAsync(new TopicPartition("orders", 0), new Message<string, string> { Key = "after", Value = "upgrade" });
        Assert.Equal(OrdersPerPartition, next.Offset.Value);
    }

    internal static string FixturePath(string name)
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            var candidate = Path.Combine(directory.FullName, "tests", "Streams.Broker.Tests", "Fixtures", name);
            if (Directory.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new DirectoryNotFoundException($"fixture {name} not found above {AppContext.BaseDirectory}");
    }

    internal static void CopyDirectory(string source, string target)
    {
        Directory.CreateDirectory(target);
        foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            var destination = Path.Combine(target, Path.GetRelativePath(source, file));
            Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
            File.Copy(file, destination);
        }
    }
}
