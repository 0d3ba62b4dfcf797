using Confluent.Kafka;
using Streams.Broker.Tests.Support;
using Xunit.Abstractions;

namespace Streams.Broker.Tests;

public sealed class RetentionTests(ITestOutputHelper output) : IAsyncLifetime
{
    private TestBroker _broker = null!;

    public async Task InitializeAsync() =>
        _broker = await TestBroker.StartAsync(output, new Dictionary<string, string> { ["log.retention.check.interval.ms"] = "100" });

    public async Task DisposeAsync() => await _broker.DisposeAsync();

    private async Task ProduceAsync(string topic, int count, DateTime? timestamp = null)
    {
        using var producer = Clients.Producer<Null, string>(_broker.BootstrapServers, c => c.LingerMs = 0);
        for (var i = 0; i < count; i++)
        {
            await producer.ProduceAsync(topic, new Message<Null, string> { Value = new string('r', 200), Timestamp = timestamp is { } t ? new Timestamp(t) : Timestamp.Default });
        }
    }

    private long LowWatermark(string topic)
    {
        using var consumer = Clients.Consumer<Null, string>(_broker.BootstrapServers);
        return consumer.QueryWatermarkOffsets(new TopicPartition(topic, 0), TimeSpan.FromSeconds(5)).Low.Value;
    }

    private static async Task EventuallyAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"timed out waiting until {what}");
            await Task.Delay(100);
        }
    }

    [Fact]
    public async Task Size_retention_deletes_whole_old_segments()
    {
        await Clients.CreateTopicAsync(_broker.BootstrapServers, "by-size", configs: new() { ["segment.bytes"] = "2000", ["retention.bytes"] = "4000" });
        await ProduceAsync("by-size", 60);

        await EventuallyAsync(() => LowWatermark("by-size") > 0, "old segments are deleted");

        var directory = Path.Combine(_broker.DataDirectory, "by-size-0");
        await EventuallyAsync(() => Directory.GetFiles(directory, "*.log").Length <= 4, "their files are removed");
        var low = LowWatermark("by-size");
        var read = Clients.ReadAll<Null, string>(_broker.BootstrapServers, "by-size", (int)(60 - low));
        Assert.Equal(low, read[0].Offset.Value);
        Assert.Equal(59, read[^1].Offset.Value);
    }

    [Fact]
    public async Task Time_retention_deletes_expired_segments_even_the_active_one()
    {
        await Clients.CreateTopicAsync(_broker.BootstrapServers, "by-time", configs: new() { ["retention.ms"] = "60000" });
        await ProduceAsync("by-time", 10, DateTime.UtcNow.AddHours(-1));

        await EventuallyAsync(() => LowWatermark("by-time") == 10, "the expired records are gone");

        using var producer = Clients.Producer<Null, string>(_broker.BootstrapServers);
        Assert.Equal(10, (await producer.ProduceAsync("by-time", new Message<Null, string> { Value = "fresh" })).Offset.Value);
    }

    [Fact]
    public async Task Retention_minus_one_keeps_everything()
    {
        await Clients.CreateTopicAsync(_broker.BootstrapServers, "forever", configs: new() { ["retention.ms"] = "-1", ["segment.bytes"] = "2000" });
        await ProduceAsync("forever", 30, new DateTime(2000, 1, 1, 0, 0, 0, DateTimeKind.Utc));

        await Task.Delay(500);

        Assert.Equal(0, LowWatermark("forever"));
        Assert.Equal(30, Clients.ReadAll<Null, string>(_broker.BootstrapServers, "forever", 30).Count);
    }

    [Fact]
    public async Task Segments_roll_when_record_time_passes_segment_ms()
    {
        await Clients.CreateTopicAsync(_broker.BootstrapServers, "by-age", configs: new() { ["segment.ms"] = "1000", ["retention.ms"] = "-1" });
        var start = DateTime.UtcNow.AddMinutes(-10);
        using (var producer = Clients.Producer<Null, string>(_broker.BootstrapServers, c => c.LingerMs = 0))
        {
            for (var i = 0; i < 4; i++)
            {
                await producer.ProduceAsync("by-age", new Message<Null, string> { Value = "tick", Timestamp = new Timestamp(start.AddSeconds(2 * i)) });
            }
        }

        Assert.Equal(4, Directory.GetFiles(Path.Combine(_broker.DataDirectory, "by-age-0"), "*.log").Length);
        Assert.Equal(4, Clients.ReadAll<Null, string>(_broker.BootstrapServers, "by-age", 4).Count);
    }
}
