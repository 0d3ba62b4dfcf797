using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Streams.Broker.Tests.Support;
using Xunit.Abstractions;

namespace Streams.Broker.Tests;

public sealed class OffsetLookupTests(ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly DateTime Start = new(2025, 1, 1, 0, 0, 0, DateTimeKind.Utc);
    private TestBroker _broker = null!;

    public async Task InitializeAsync()
    {
        _broker = await TestBroker.StartAsync(output);
        await Clients.CreateTopicAsync(_broker.BootstrapServers, "timed", configs: new() { ["segment.bytes"] = "2048" });
        using var producer = Clients.Producer<Null, int>(_broker.BootstrapServers, c => c.LingerMs = 50);

        // 100 records one minute apart, except record 60 which claims to be the newest of all.
        for (var i = 0; i < 100; i++)
        {
            var timestamp = i == 60 ? Start.AddDays(1) : Start.AddMinutes(i);
            producer.Produce("timed", new Message<Null, int> { Value = i, Timestamp = new Timestamp(timestamp) });
        }

        producer.Flush(TimeSpan.FromSeconds(10));
    }

    public async Task DisposeAsync() => await _broker.DisposeAsync();

    [Theory]
    [InlineData(0, 0)]
    [InlineData(30, 30)]
    [InlineData(59, 59)]
    [InlineData(99, 60)] // only the offset order counts: 60 is the first record whose time is at or after minute 99
    [InlineData(61, 60)] // record 60 carries a later timestamp, and it is the first offset whose time is at or after minute 61
    public void Offsets_for_times_finds_the_first_record_at_or_after_the_time(int minute, int expectedOffset)
    {
        using var consumer = Clients.Consumer<Null, int>(_broker.BootstrapServers);

        var found = consumer.OffsetsForTimes([new TopicPartitionTimestamp("timed", 0, new Timestamp(Start.AddMinutes(minute)))], TimeSpan.FromSeconds(10));

        Assert.Equal(expectedOffset, found[0].Offset.Value);
    }

    [Fact]
    public void Offsets_for_a_time_after_every_record_is_the_end()
    {
        using var consumer = Clients.Consumer<Null, int>(_broker.BootstrapServers);

        var found = consumer.OffsetsForTimes([new TopicPartitionTimestamp("timed", 0, new Timestamp(Start.AddDays(2)))], TimeSpan.FromSeconds(10));

        Assert.Equal(Offset.End, found[0].Offset);
    }

    [Fact]
    public void Watermarks_are_the_log_start_and_end()
    {
        using var consumer = Clients.Consumer<Null, int>(_broker.BootstrapServers);

        var watermarks = consumer.QueryWatermarkOffsets(new TopicPartition("timed", 0), TimeSpan.FromSeconds(10));

        Assert.Equal(0, watermarks.Low.Value);
        Assert.Equal(100, watermarks.High.Value);
    }

    [Fact]
    public async Task Admin_list_offsets_answers_earliest_latest_and_max_timestamp()
    {
        using var admin = Clients.Admin(_broker.BootstrapServers);
        var tp = new TopicPartition("timed", 0);

        var results = await Task.WhenAll(
            admin.ListOffsetsAsync([new TopicPartitionOffsetSpec { TopicPartition = tp, OffsetSpec = OffsetSpec.Earliest() }]),
            admin.ListOffsetsAsync([new TopicPartitionOffsetSpec { TopicPartition = tp, OffsetSpec = OffsetSpec.Latest() }]),
            admin.ListOffsetsAsync([new TopicPartitionOffsetSpec { TopicPartition = tp, OffsetSpec = OffsetSpec.MaxTimestamp() }]));

        Assert.Equal(0, results[0].ResultInfos[0].TopicPartitionOffsetError.Offset.Value);
        Assert.Equal(100, results[1].ResultInfos[0].TopicPartitionOffsetError.Offset.Value);
        Assert.Equal(60, results[2].ResultInfos[0].TopicPartitionOffsetError.Offset.Value);
        Assert.Equal(new DateTimeOffset(Start.AddDays(1)).ToUnixTimeMilliseconds(), results[2].ResultInfos[0].Timestamp);
    }
}
