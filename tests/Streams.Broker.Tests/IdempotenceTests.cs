using Confluent.Kafka;
using Streams.Broker.Protocol;
using Streams.Broker.Records;
using Streams.Broker.Tests.Support;
using Xunit.Abstractions;
using ErrorCode = Streams.Broker.Protocol.ErrorCode;

namespace Streams.Broker.Tests;

public sealed class IdempotenceTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Retries_after_lost_responses_write_nothing_twice()
    {
        await using var proxy = new FaultProxy();
        await using var broker = await TestBroker.StartAsync(output, advertisedPort: proxy.Port);
        proxy.Start(broker.Broker.Port);
        await Clients.CreateTopicAsync($"127.0.0.1:{proxy.Port}", "exactly-once-writes");

        using (var producer = Clients.Producer<Null, int>($"127.0.0.1:{proxy.Port}", c =>
        {
            c.EnableIdempotence = true;
            c.LingerMs = 5;
            c.RetryBackoffMs = 50;
        }))
        {
            for (var round = 0; round < 5; round++)
            {
                proxy.DropNextProduceResponses(1);
                var sends = Enumerable.Range(round * 200, 200).Select(i => producer.ProduceAsync("exactly-once-writes", new Message<Null, int> { Value = i })).ToList();
                await Task.WhenAll(sends);
            }
        }

        Assert.True(proxy.DroppedResponses >= 3, $"only {proxy.DroppedResponses} responses were dropped");
        var read = Clients.ReadAll<Null, int>(broker.BootstrapServers, "exactly-once-writes", 1000, timeout: TimeSpan.FromSeconds(10));
        using var consumer = Clients.Consumer<Null, int>(broker.BootstrapServers);
        Assert.Equal(1000, consumer.QueryWatermarkOffsets(new TopicPartition("exactly-once-writes", 0), TimeSpan.FromSeconds(5)).High.Value);
        Assert.Equal(Enumerable.Range(0, 1000), read.Select(r => r.Message.Value));
    }

    private static byte[] Batch(long producerId, short epoch, int sequence, int count = 2)
    {
        var builder = new RecordBatchBuilder(producerId: producerId, producerEpoch: epoch, baseSequence: sequence);
        for (var i = 0; i < count; i++)
        {
            builder.Add(1_700_000_000_000, null, new[] { (byte)i });
        }

        return builder.Build();
    }

    private static async Task<long> InitProducerIdAsync(RawConnection connection)
    {
        var reader = await connection.RequestAsync(ApiKey.InitProducerId, 4, w =>
        {
            w.WriteNullableString(null);
            w.WriteInt32(60000);
            w.WriteInt64(-1);
            w.WriteInt16(-1);
            w.WriteTaggedFields();
        }, flexible: true);
        reader.ReadInt32();
        Assert.Equal(ErrorCode.None, (ErrorCode)reader.ReadInt16());
        var producerId = reader.ReadInt64();
        Assert.Equal(0, reader.ReadInt16());
        return producerId;
    }

    [Fact]
    public async Task Duplicate_batch_gets_its_original_offset_even_after_a_restart()
    {
        await using var broker = await TestBroker.StartAsync(output);
        await Clients.CreateTopicAsync(broker.BootstrapServers, "dedup");
        long producerId;
        using (var connection = await RawConnection.ConnectAsync(broker.Broker))
        {
            producerId = await InitProducerIdAsync(connection);
            Assert.Equal((ErrorCode.None, 0L), await RawRequests.ProduceAsync(connection, "dedup", 0, Batch(producerId, 0, 0)));
            Assert.Equal((ErrorCode.None, 2L), await RawRequests.ProduceAsync(connection, "dedup", 0, Batch(producerId, 0, 2)));
            Assert.Equal((ErrorCode.None, 0L), await RawRequests.ProduceAsync(connection, "dedup", 0, Batch(producerId, 0, 0)));
        }

        await broker.RestartAsync();

        using (var connection = await RawConnection.ConnectAsync(broker.Broker))
        {
            Assert.Equal((ErrorCode.None, 2L), await RawRequests.ProduceAsync(connection, "dedup", 0, Batch(producerId, 0, 2)));
            Assert.Equal((ErrorCode.None, 4L), await RawRequests.ProduceAsync(connection, "dedup", 0, Batch(producerId, 0, 4)));
            Assert.NotEqual(producerId, await InitProducerIdAsync(connection));
        }
    }

    [Fact]
    public async Task Sequence_gaps_and_stale_epochs_are_refused()
    {
        await using var broker = await TestBroker.StartAsync(output);
        await Clients.CreateTopicAsync(broker.BootstrapServers, "fenced");
        using var connection = await RawConnection.ConnectAsync(broker.Broker);
        var producerId = await InitProducerIdAsync(connection);

        await RawRequests.ProduceAsync(connection, "fenced", 0, Batch(producerId, 0, 0));
        var gap = await RawRequests.ProduceAsync(connection, "fenced", 0, Batch(producerId, 0, 5));
        var bumped = await RawRequests.ProduceAsync(connection, "fenced", 0, Batch(producerId, 1, 0));
        var stale = await RawRequests.ProduceAsync(connection, "fenced", 0, Batch(producerId, 0, 2));
        var bumpNotAtZero = await RawRequests.ProduceAsync(connection, "fenced", 0, Batch(producerId, 2, 7));

        Assert.Equal(ErrorCode.OutOfOrderSequenceNumber, gap.Error);
        Assert.Equal((ErrorCode.None, 2L), bumped);
        Assert.Equal(ErrorCode.InvalidProducerEpoch, stale.Error);
        Assert.Equal(ErrorCode.OutOfOrderSequenceNumber, bumpNotAtZero.Error);
    }
}
