using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Streams.Broker.Tests.Support;
using Xunit.Abstractions;

namespace Streams.Broker.Tests;

public sealed class DurabilityTests(ITestOutputHelper output) : IAsyncLifetime
{
    private TestBroker _broker = null!;

    public async Task InitializeAsync() => _broker = await TestBroker.StartAsync(output);

    public async Task DisposeAsync() => await _broker.DisposeAsync();

    private async Task ProduceAsync(string topic, IEnumerable<int> values)
    {
        using var producer = Clients.Producer<Null, int>(_broker.BootstrapServers, c => c.LingerMs = 0);
        foreach (var value in values)
        {
            // One awaited produce per message: one batch per message, so a torn tail cuts exactly one record.
            await producer.ProduceAsync(topic, new Message<Null, int> { Value = value });
        }
    }

    [Fact]
    public async Task Records_topics_and_configs_survive_a_restart()
    {
        await Clients.CreateTopicAsync(_broker.BootstrapServers, "kept", partitions: 3, configs: new() { ["retention.ms"] = "-1" });
        await ProduceAsync("kept", Enumerable.Range(0, 50));

        await _broker.RestartAsync();

        using var admin = Clients.Admin(_broker.BootstrapServers);
        Assert.Equal(3, admin.GetMetadata("kept", TimeSpan.FromSeconds(5)).Topics[0].Partitions.Count);
        var configs = (await admin.DescribeConfigsAsync([new Confluent.Kafka.Admin.ConfigResource { Type = ResourceType.Topic, Name = "kept" }]))[0];
        Assert.Equal("-1", configs.Entries["retention.ms"].Value);
        var read = Clients.ReadAll<Null, int>(_broker.BootstrapServers, "kept", 50, partitions: 3);
        Assert.Equal(Enumerable.Range(0, 50), read.Select(r => r.Message.Value).Order());
    }

    [Fact]
    public async Task Offsets_continue_after_a_restart()
    {
        await Clients.CreateTopicAsync(_broker.BootstrapServers, "continued");
        await ProduceAsync("continued", Enumerable.Range(0, 10));

        await _broker.RestartAsync();
        using var producer = Clients.Producer<Null, int>(_broker.BootstrapServers);
        var report = await producer.ProduceAsync("continued", new Message<Null, int> { Value = 10 });

        Assert.Equal(10, report.Offset.Value);
    }

    [Fact]
    public async Task Torn_tail_is_truncated_and_everything_before_it_is_kept()
    {
        await Clients.CreateTopicAsync(_broker.BootstrapServers, "torn");
        await ProduceAsync("torn", Enumerable.Range(0, 20));

        await _broker.RestartAsync(dataDirectory =>
        {
            var segment = Path.Combine(dataDirectory, "torn-0", "00000000000000000000.log");
            using var file = new FileStream(segment, FileMode.Open);
            file.SetLength(file.Length - 7); // a write cut off mid-batch
            File.Delete(Path.Combine(dataDirectory, "torn-0", "clean-shutdown")); // as after kill -9
        });

        var read = Clients.ReadAll<Null, int>(_broker.BootstrapServers, "torn", 19);
        Assert.Equal(Enumerable.Range(0, 19), read.Select(r => r.Message.Value));
        using var producer = Clients.Producer<Null, int>(_broker.BootstrapServers);
        var report = await producer.ProduceAsync("torn", new Message<Null, int> { Value = 100 });
        Assert.Equal(19, report.Offset.Value);
        Assert.Equal(100, Clients.ReadAll<Null, int>(_broker.BootstrapServers, "torn", 20)[^1].Message.Value);
    }

    [Fact]
    public async Task Corrupt_final_batch_is_truncated_after_an_unclean_stop()
    {
        await Clients.CreateTopicAsync(_broker.BootstrapServers, "corrupt-tail");
        await ProduceAsync("corrupt-tail", Enumerable.Range(0, 10));

        await _broker.RestartAsync(dataDirectory =>
        {
            var segment = Path.Combine(dataDirectory, "corrupt-tail-0", "00000000000000000000.log");
            var bytes = File.ReadAllBytes(segment);
            bytes[^2] ^= 0x5A; // bit rot inside the last record: the CRC no longer matches
            File.WriteAllBytes(segment, bytes);
            File.Delete(Path.Combine(dataDirectory, "corrupt-tail-0", "clean-shutdown"));
        });

        var read = Clients.ReadAll<Null, int>(_broker.BootstrapServers, "corrupt-tail", 9);
        Assert.Equal(Enumerable.Range(0, 9), read.Select(r => r.Message.Value));
        using var consumer = Clients.Consumer<Null, int>(_broker.BootstrapServers);
        Assert.Equal(9, consumer.QueryWatermarkOffsets(new TopicPartition("corrupt-tail", 0), TimeSpan.FromSeconds(5)).High.Value);
    }

    [Fact]
    public async Task Missing_or_stale_indexes_are_rebuilt()
    {
        await Clients.CreateTopicAsync(_broker.BootstrapServers, "indexed", configs: new() { ["segment.bytes"] = "4096", ["index.interval.bytes"] = "100" });
        await ProduceAsync("indexed", Enumerable.Range(0, 200));

        await _broker.RestartAsync(dataDirectory =>
        {
            var directory = Path.Combine(dataDirectory, "indexed-0");
            var indexes = Directory.GetFiles(directory, "*.index");
            Assert.True(indexes.Length > 3, "small segments should have rolled");
            File.Delete(indexes[0]);
            File.WriteAllBytes(indexes[1], new byte[13]);
        });

        using var consumer = Clients.Consumer<Null, int>(_broker.BootstrapServers);
        consumer.Assign(new TopicPartitionOffset("indexed", 0, 150));
        Assert.Equal(150, consumer.Consume(TimeSpan.FromSeconds(10))!.Message.Value);
        Assert.Equal(Enumerable.Range(0, 200), Clients.ReadAll<Null, int>(_broker.BootstrapServers, "indexed", 200).Select(r => r.Message.Value));
    }
}
