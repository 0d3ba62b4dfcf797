using Confluent.Kafka;
using Streams.Broker.Protocol;
using ErrorCode = Streams.Broker.Protocol.ErrorCode;
using Streams.Broker.Protocol.Messages;
using Streams.Broker.Tests.Support;
using Xunit.Abstractions;

namespace Streams.Broker.Tests.Transactions;

/// <summary>
/// OffsetFetch RequireStable (KIP-447): while a transaction holds offsets of a group's partition, a consumer that asks
/// for stable offsets gets UNSTABLE_OFFSET_COMMIT instead of the older offset, so it cannot re-process what the open
/// transaction is about to commit.
/// </summary>
public sealed class StableOffsetTests(ITestOutputHelper output)
{
    private const string Topic = "stable-in";
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    /// <summary>Commits <paramref name="offset"/> for partition 0 of the group, outside any transaction.</summary>
    private static void CommitPlain(string bootstrap, string group, long offset)
    {
        using var consumer = Clients.Consumer<Ignore, Ignore>(bootstrap, c => c.GroupId = group);
        consumer.Commit([new TopicPartitionOffset(Topic, 0, offset)]);
    }

    /// <summary>Begins a transaction of <paramref name="producer"/> holding <paramref name="offset"/> for the group (not yet ended).</summary>
    private static void SendOffsetsInTransaction(string bootstrap, IProducer<string, string> producer, string group, long offset)
    {
        using var consumer = Clients.Consumer<Ignore, Ignore>(bootstrap, c => c.GroupId = group);
        producer.BeginTransaction();
        producer.SendOffsetsToTransaction([new TopicPartitionOffset(Topic, 0, offset)], consumer.ConsumerGroupMetadata, Timeout);
    }

    private static async Task<OffsetFetchResponse.Partition> FetchAsync(RawConnection connection, string group, short version, bool requireStable)
    {
        var response = await connection.SendAsync<OffsetFetchRequest, OffsetFetchResponse>(
            new OffsetFetchRequest { GroupId = group, Topics = [new OffsetFetchRequest.Topic { Name = Topic, PartitionIndexes = [0] }], RequireStable = requireStable },
            version);
        Assert.NotNull(response);
        Assert.Equal(ErrorCode.None, response.ErrorCode);
        return Assert.Single(Assert.Single(response.Topics).Partitions);
    }

    [Fact]
    public async Task Offsets_held_by_an_open_transaction_are_unstable_until_it_ends()
    {
        await using var broker = await TestBroker.StartAsync(output);
        await Clients.CreateTopicAsync(broker.BootstrapServers, Topic);
        CommitPlain(broker.BootstrapServers, "stable-raw", 5);
        using var producer = Clients.Producer<string, string>(broker.BootstrapServers, c => c.TransactionalId = "stable-raw-producer");
        producer.InitTransactions(Timeout);
        using var connection = await RawConnection.ConnectAsync(broker.BootstrapServers);

        SendOffsetsInTransaction(broker.BootstrapServers, producer, "stable-raw", 10);
        var unstable = await FetchAsync(connection, "stable-raw", 7, requireStable: true);
        Assert.Equal(ErrorCode.UnstableOffsetCommit, unstable.ErrorCode);
        Assert.Equal(-1, unstable.CommittedOffset);

        // Without RequireStable (or before v7, where it does not exist) the last committed offset is answered.
        Assert.Equal(5, (await FetchAsync(connection, "stable-raw", 7, requireStable: false)).CommittedOffset);
        Assert.Equal(5, (await FetchAsync(connection, "stable-raw", 6, requireStable: false)).CommittedOffset);

        producer.CommitTransaction(Timeout);
        var committed = await FetchAsync(connection, "stable-raw", 7, requireStable: true);
        Assert.Equal(ErrorCode.None, committed.ErrorCode);
        Assert.Equal(10, committed.CommittedOffset);

        SendOffsetsInTransaction(broker.BootstrapServers, producer, "stable-raw", 20);
        Assert.Equal(ErrorCode.UnstableOffsetCommit, (await FetchAsync(connection, "stable-raw", 7, requireStable: true)).ErrorCode);
        producer.AbortTransaction(Timeout);
        var afterAbort = await FetchAsync(connection, "stable-raw", 7, requireStable: true);
        Assert.Equal(ErrorCode.None, afterAbort.ErrorCode);
        Assert.Equal(10, afterAbort.CommittedOffset);
    }

    [Fact]
    public async Task Pending_offsets_stay_unstable_across_a_broker_restart()
    {
        await using var broker = await TestBroker.StartAsync(output);
        await Clients.CreateTopicAsync(broker.BootstrapServers, Topic);
        CommitPlain(broker.BootstrapServers, "stable-restart", 5);
        using var producer = Clients.Producer<string, string>(broker.BootstrapServers, c => c.TransactionalId = "stable-restart-producer");
        producer.InitTransactions(Timeout);
        SendOffsetsInTransaction(broker.BootstrapServers, producer, "stable-restart", 10);
        await broker.RestartAsync();

        using var connection = await RawConnection.ConnectAsync(broker.BootstrapServers);
        Assert.Equal(ErrorCode.UnstableOffsetCommit, (await FetchAsync(connection, "stable-restart", 7, requireStable: true)).ErrorCode);
    }

    [Fact]
    public async Task A_read_committed_consumer_starting_during_the_transaction_resumes_after_its_offsets()
    {
        await using var broker = await TestBroker.StartAsync(output);
        await Clients.CreateTopicAsync(broker.BootstrapServers, Topic);
        using (var plain = Clients.Producer<string, string>(broker.BootstrapServers))
        {
            for (var i = 0; i < 20; i++)
            {
                await plain.ProduceAsync(Topic, new Message<string, string> { Key = "k", Value = "before-" + i });
            }
        }

        CommitPlain(broker.BootstrapServers, "stable-consumer", 10);
        using var producer = Clients.Producer<string, string>(broker.BootstrapServers, c => c.TransactionalId = "stable-consumer-producer");
        producer.InitTransactions(Timeout);

        // The other processor has handled records 10-19 and is committing offset 20 with its outputs.
        SendOffsetsInTransaction(broker.BootstrapServers, producer, "stable-consumer", 20);

        using var consumer = Clients.Consumer<string, string>(broker.BootstrapServers, c =>
        {
            c.GroupId = "stable-consumer";
            c.IsolationLevel = IsolationLevel.ReadCommitted;
        });
        consumer.Subscribe(Topic);
        var deadline = DateTime.UtcNow + Timeout;
        var early = new List<ConsumeResult<string, string>>();
        while (consumer.Assignment.Count == 0 && DateTime.UtcNow < deadline)
        {
            if (consumer.Consume(TimeSpan.FromMilliseconds(100)) is { } result)
            {
                early.Add(result);
            }
        }

        Assert.NotEmpty(consumer.Assignment);

        // Assigned: librdkafka now asks for the committed offset (stable, as read_committed) and is told to retry.
        for (var i = 0; i < 15; i++)
        {
            if (consumer.Consume(TimeSpan.FromMilliseconds(100)) is { } result)
            {
                early.Add(result);
            }
        }

        Assert.Empty(early);
        producer.CommitTransaction(Timeout);
        using (var plain = Clients.Producer<string, string>(broker.BootstrapServers))
        {
            await plain.ProduceAsync(Topic, new Message<string, string> { Key = "k", Value = "after" });
        }

        ConsumeResult<string, string>? first = null;
        while (first is null && DateTime.UtcNow < deadline + Timeout)
        {
            first = consumer.Consume(TimeSpan.FromMilliseconds(200));
        }

        Assert.NotNull(first);
        Assert.Equal("after", first.Message.Value);
        Assert.Equal(20, first.Offset.Value);
        consumer.Close();
    }
}
