using System.Buffers.Binary;
using System.Text;
using Confluent.Kafka;
using Streams.Broker.Protocol;
using Streams.Broker.Records;
using Streams.Broker.Tests.Support;
using Xunit.Abstractions;
using ErrorCode = Streams.Broker.Protocol.ErrorCode;

namespace Streams.Broker.Tests;

/// <summary>Bad input gets Kafka's error (or a closed connection where Kafka closes it) and harms nothing else.</summary>
public sealed class BadInputTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const string Topic = "guarded";
    private TestBroker _broker = null!;

    public async Task InitializeAsync()
    {
        _broker = await TestBroker.StartAsync(output);
        await Clients.CreateTopicAsync(_broker.BootstrapServers, Topic, configs: new() { ["max.message.bytes"] = "2000" });
        using var producer = Clients.Producer<Null, string>(_broker.BootstrapServers);
        for (var i = 0; i < 5; i++)
        {
            await producer.ProduceAsync(Topic, new Message<Null, string> { Value = $"before-{i}" });
        }
    }

    public async Task DisposeAsync()
    {
        // Whatever a test sent, what was written before is intact and the broker still serves real clients.
        var read = Clients.ReadAll<Null, string>(_broker.BootstrapServers, Topic, 5);
        Assert.Equal(Enumerable.Range(0, 5).Select(i => $"before-{i}"), read.Take(5).Select(r => r.Message.Value));
        await _broker.DisposeAsync();
    }

    private static byte[] Batch(string value = "payload", int count = 1)
    {
        var builder = new RecordBatchBuilder();
        for (var i = 0; i < count; i++)
        {
            builder.Add(1_700_000_000_000 + i, null, Encoding.UTF8.GetBytes(value));
        }

        return builder.Build();
    }

    [Fact]
    public async Task Garbage_closes_only_that_connection()
    {
        using var bad = await RawConnection.ConnectAsync(_broker.Broker);
        using var good = await RawConnection.ConnectAsync(_broker.Broker);

        await bad.SendRawAsync(Encoding.ASCII.GetBytes("GET / HTTP/1.1\r\nHost: kafka\r\n\r\n"));

        Assert.True(await bad.IsClosedByBrokerAsync());
        Assert.Equal([Topic], await RawRequests.UserTopicNamesAsync(good));
    }

    [Fact]
    public async Task Length_prefix_over_the_limit_closes_the_connection()
    {
        using var bad = await RawConnection.ConnectAsync(_broker.Broker);
        var prefix = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(prefix, 200_000_000);

        await bad.SendRawAsync(prefix);

        Assert.True(await bad.IsClosedByBrokerAsync());
    }

    [Fact]
    public async Task Truncated_frame_then_disconnect_leaves_the_broker_serving()
    {
        using (var bad = await RawConnection.ConnectAsync(_broker.Broker))
        {
            var frame = new byte[4 + 10];
            BinaryPrimitives.WriteInt32BigEndian(frame, 1000);
            await bad.SendRawAsync(frame);
        }

        using var good = await RawConnection.ConnectAsync(_broker.Broker);
        Assert.Equal([Topic], await RawRequests.UserTopicNamesAsync(good));
    }

    [Fact]
    public async Task Request_whose_body_is_cut_short_closes_the_connection()
    {
        using var bad = await RawConnection.ConnectAsync(_broker.Broker);

        await bad.RequestAsync(ApiKey.Produce, 8, w => w.WriteInt16(-1), expectResponse: false);

        Assert.True(await bad.IsClosedByBrokerAsync());
    }

    [Fact]
    public async Task Unknown_api_key_closes_the_connection()
    {
        using var bad = await RawConnection.ConnectAsync(_broker.Broker);

        await bad.RequestAsync((ApiKey)999, 0, _ => { }, expectResponse: false);

        Assert.True(await bad.IsClosedByBrokerAsync());
    }

    [Fact]
    public async Task Unsupported_version_of_a_known_api_closes_the_connection()
    {
        using var bad = await RawConnection.ConnectAsync(_broker.Broker);

        await bad.RequestAsync(ApiKey.Metadata, 42, _ => { }, expectResponse: false);

        Assert.True(await bad.IsClosedByBrokerAsync());
    }

    [Fact]
    public async Task ApiVersions_from_the_future_gets_UNSUPPORTED_VERSION_and_our_range()
    {
        using var connection = await RawConnection.ConnectAsync(_broker.Broker);

        var reader = await connection.RequestAsync(ApiKey.ApiVersions, 9, _ => { });

        Assert.Equal(ErrorCode.UnsupportedVersion, (ErrorCode)reader.ReadInt16());
        Assert.Equal(1, reader.ReadArrayLength());
        Assert.Equal((short)ApiKey.ApiVersions, reader.ReadInt16());
        Assert.Equal(0, reader.ReadInt16());
        Assert.Equal(4, reader.ReadInt16());
        Assert.Equal([Topic], await RawRequests.UserTopicNamesAsync(connection));
    }

    [Fact]
    public async Task Batch_with_a_bad_crc_is_refused_with_CORRUPT_MESSAGE()
    {
        using var connection = await RawConnection.ConnectAsync(_broker.Broker);
        var batch = Batch();
        batch[^1] ^= 0xFF;

        var (error, _) = await RawRequests.ProduceAsync(connection, Topic, 0, batch);

        Assert.Equal(ErrorCode.CorruptMessage, error);
    }

    [Fact]
    public async Task Truncated_batch_is_refused_with_CORRUPT_MESSAGE()
    {
        using var connection = await RawConnection.ConnectAsync(_broker.Broker);
        var batch = Batch();

        var (error, _) = await RawRequests.ProduceAsync(connection, Topic, 0, batch[..^3]);

        Assert.Equal(ErrorCode.CorruptMessage, error);
    }

    [Fact]
    public async Task Batch_over_max_message_bytes_is_refused_with_MESSAGE_TOO_LARGE()
    {
        using var connection = await RawConnection.ConnectAsync(_broker.Broker);

        var (error, _) = await RawRequests.ProduceAsync(connection, Topic, 0, Batch(new string('x', 3000)));

        Assert.Equal(ErrorCode.MessageTooLarge, error);
    }

    [Fact]
    public async Task Produce_to_an_unknown_partition_gets_UNKNOWN_TOPIC_OR_PARTITION()
    {
        using var connection = await RawConnection.ConnectAsync(_broker.Broker);

        var (unknownPartition, _) = await RawRequests.ProduceAsync(connection, Topic, 7, Batch());
        var (unknownTopic, _) = await RawRequests.ProduceAsync(connection, "never-created", 0, Batch());

        Assert.Equal(ErrorCode.UnknownTopicOrPartition, unknownPartition);
        Assert.Equal(ErrorCode.UnknownTopicOrPartition, unknownTopic);
    }

    [Fact]
    public async Task Fetch_outside_the_log_gets_OFFSET_OUT_OF_RANGE()
    {
        using var connection = await RawConnection.ConnectAsync(_broker.Broker);

        var (beyond, highWatermark, _) = await RawRequests.FetchAsync(connection, Topic, 0, 99);
        var (atEnd, _, bytes) = await RawRequests.FetchAsync(connection, Topic, 0, 5);

        Assert.Equal(ErrorCode.OffsetOutOfRange, beyond);
        Assert.Equal(5, highWatermark);
        Assert.Equal(ErrorCode.None, atEnd);
        Assert.Equal(0, bytes);
    }

    [Fact]
    public async Task A_valid_batch_after_bad_ones_is_appended_at_the_next_offset()
    {
        using var connection = await RawConnection.ConnectAsync(_broker.Broker);
        var corrupt = Batch();
        corrupt[^1] ^= 0xFF;
        await RawRequests.ProduceAsync(connection, Topic, 0, corrupt);

        var (error, offset) = await RawRequests.ProduceAsync(connection, Topic, 0, Batch(count: 3));

        Assert.Equal(ErrorCode.None, error);
        Assert.Equal(5, offset);
    }
}
