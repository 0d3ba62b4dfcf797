using System.Diagnostics;
using Confluent.Kafka;
using Streams.Broker.Tests.Support;
using Xunit.Abstractions;
using ErrorCode = Streams.Broker.Protocol.ErrorCode;

namespace Streams.Broker.Tests;

public sealed class FetchTests(ITestOutputHelper output) : IAsyncLifetime
{
    private TestBroker _broker = null!;

    public async Task InitializeAsync()
    {
        _broker = await TestBroker.StartAsync(output);
        await Clients.CreateTopicAsync(_broker.BootstrapServers, "polled");
    }

    public async Task DisposeAsync() => await _broker.DisposeAsync();

    [Fact]
    public async Task Long_poll_returns_as_soon_as_data_arrives_not_at_max_wait()
    {
        using var fetcher = await RawConnection.ConnectAsync(_broker.Broker);
        var watch = Stopwatch.StartNew();
        var fetch = RawRequests.FetchAsync(fetcher, "polled", 0, 0, maxWaitMs: 20_000, minBytes: 1);
        await Task.Delay(300);
        Assert.False(fetch.IsCompleted, "with no data the fetch must wait");

        using (var producer = Clients.Producer<Null, string>(_broker.BootstrapServers))
        {
            await producer.ProduceAsync("polled", new Message<Null, string> { Value = "wake up" });
        }

        var (error, highWatermark, bytes) = await fetch;
        Assert.Equal(ErrorCode.None, error);
        Assert.Equal(1, highWatermark);
        Assert.True(bytes > 0);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(15), $"fetch took {watch.Elapsed}, it should not wait for MaxWaitMs");
    }

    [Fact]
    public async Task Long_poll_returns_empty_at_max_wait()
    {
        using var fetcher = await RawConnection.ConnectAsync(_broker.Broker);

        var (error, highWatermark, bytes) = await RawRequests.FetchAsync(fetcher, "polled", 0, 0, maxWaitMs: 200, minBytes: 1);

        Assert.Equal(ErrorCode.None, error);
        Assert.Equal(0, highWatermark);
        Assert.Equal(0, bytes);
    }

    [Fact]
    public async Task A_waiting_fetch_does_not_block_other_connections()
    {
        using var fetcher = await RawConnection.ConnectAsync(_broker.Broker);
        using var other = await RawConnection.ConnectAsync(_broker.Broker);
        var fetch = RawRequests.FetchAsync(fetcher, "polled", 0, 0, maxWaitMs: 5_000, minBytes: 1);

        var topics = await RawRequests.UserTopicNamesAsync(other);

        Assert.Equal(["polled"], topics);
        Assert.False(fetch.IsCompleted);
        await fetch;
    }

    [Fact]
    public async Task A_message_larger_than_the_fetch_limits_is_still_delivered()
    {
        await Clients.CreateTopicAsync(_broker.BootstrapServers, "big", configs: new() { ["max.message.bytes"] = "3000000" });
        var big = new byte[2_000_000];
        Random.Shared.NextBytes(big);
        using (var producer = Clients.Producer<Null, byte[]>(_broker.BootstrapServers, c => c.MessageMaxBytes = 3_000_000))
        {
            await producer.ProduceAsync("big", new Message<Null, byte[]> { Value = big });
        }

        using var consumer = Clients.Consumer<Null, byte[]>(_broker.BootstrapServers, c =>
        {
            c.MaxPartitionFetchBytes = 1024;
            c.FetchMaxBytes = 4096;
            c.MessageMaxBytes = 1000;
        });
        consumer.Assign(new TopicPartitionOffset("big", 0, Offset.Beginning));

        var result = consumer.Consume(TimeSpan.FromSeconds(20));

        Assert.NotNull(result);
        Assert.Equal(big, result.Message.Value);
    }

    [Fact]
    public async Task Consumer_reading_from_the_middle_of_a_batch_starts_at_its_offset()
    {
        using (var producer = Clients.Producer<Null, int>(_broker.BootstrapServers, c => c.LingerMs = 100))
        {
            for (var i = 0; i < 50; i++)
            {
                producer.Produce("polled", new Message<Null, int> { Value = i });
            }

            producer.Flush(TimeSpan.FromSeconds(10));
        }

        using var consumer = Clients.Consumer<Null, int>(_broker.BootstrapServers);
        consumer.Assign(new TopicPartitionOffset("polled", 0, 37));

        var result = consumer.Consume(TimeSpan.FromSeconds(10));

        Assert.Equal(37, result!.Offset.Value);
        Assert.Equal(37, result.Message.Value);
    }
}
