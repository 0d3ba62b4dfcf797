using Confluent.Kafka;
using Streams.Broker.Tests.Support;
using Xunit.Abstractions;

namespace Streams.Broker.Tests.Transactions;

/// <summary>Transactional producers and read_committed consumers (Confluent.Kafka 2.16) against the embedded broker.</summary>
public sealed class TransactionTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    private static IProducer<string, string> TransactionalProducer(string bootstrap, string transactionalId, int timeoutMs = 60_000) =>
        Clients.Producer<string, string>(bootstrap, c =>
        {
            c.TransactionalId = transactionalId;
            c.TransactionTimeoutMs = timeoutMs;
            c.MessageTimeoutMs = Math.Min(timeoutMs, 30_000);
        });

    /// <summary>Every non-control record of the topic as the isolation level sees it, read until the end of partition 0.</summary>
    private static List<string> ReadToEnd(string bootstrap, string topic, IsolationLevel isolation, int partitions = 1)
    {
        using var consumer = Clients.Consumer<string, string>(bootstrap, c =>
        {
            c.IsolationLevel = isolation;
            c.EnablePartitionEof = true;
        });
        consumer.Assign(Enumerable.Range(0, partitions).Select(p => new TopicPartitionOffset(topic, p, Offset.Beginning)));
        var values = new List<string>();
        var ended = new HashSet<int>();
        var deadline = DateTime.UtcNow + Timeout;
        while (ended.Count < partitions && DateTime.UtcNow < deadline)
        {
            var result = consumer.Consume(TimeSpan.FromMilliseconds(200));
            if (result is null)
            {
                continue;
            }

            if (result.IsPartitionEOF)
            {
                ended.Add(result.Partition.Value);
            }
            else
            {
                values.Add(result.Message.Value);
            }
        }

        Assert.Equal(partitions, ended.Count);
        return values;
    }

    [Fact]
    public async Task Committed_records_are_visible_and_aborted_ones_only_to_read_uncommitted()
    {
        await using var broker = await TestBroker.StartAsync(output);
        await Clients.CreateTopicAsync(broker.BootstrapServers, "txn-visibility");
        using (var producer = TransactionalProducer(broker.BootstrapServers, "visibility"))
        {
            producer.InitTransactions(Timeout);
            producer.BeginTransaction();
            await producer.ProduceAsync("txn-visibility", new Message<string, string> { Key = "k", Value = "committed-1" });
            await producer.ProduceAsync("txn-visibility", new Message<string, string> { Key = "k", Value = "committed-2" });
            producer.CommitTransaction(Timeout);

            producer.BeginTransaction();
            await producer.ProduceAsync("txn-visibility", new Message<string, string> { Key = "k", Value = "aborted" });
            producer.AbortTransaction(Timeout);

            producer.BeginTransaction();
            await producer.ProduceAsync("txn-visibility", new Message<string, string> { Key = "k", Value = "committed-3" });
            producer.CommitTransaction(Timeout);
        }

        Assert.Equal(["committed-1", "committed-2", "committed-3"], ReadToEnd(broker.BootstrapServers, "txn-visibility", IsolationLevel.ReadCommitted));
        Assert.Equal(["committed-1", "committed-2", "aborted", "committed-3"], ReadToEnd(broker.BootstrapServers, "txn-visibility", IsolationLevel.ReadUncommitted));

        // Three markers and one aborted record sit between the data: the high watermark counts them all.
        using var consumer = Clients.Consumer<string, string>(broker.BootstrapServers);
        Assert.Equal(7, consumer.QueryWatermarkOffsets(new TopicPartition("txn-visibility", 0), Timeout).High.Value);
    }

    [Fact]
    public async Task An_open_transaction_holds_back_the_last_stable_offset_for_read_committed_only()
    {
        await using var broker = await TestBroker.StartAsync(output);
        await Clients.CreateTopicAsync(broker.BootstrapServers, "txn-interleaved");
        using var first = TransactionalProducer(broker.BootstrapServers, "interleaved-a");
        using var second = TransactionalProducer(broker.BootstrapServers, "interleaved-b");
        first.InitTransactions(Timeout);
        second.InitTransactions(Timeout);

        first.BeginTransaction();
        await first.ProduceAsync("txn-interleaved", new Message<string, string> { Key = "a", Value = "a-1" });
        second.BeginTransaction();
        await second.ProduceAsync("txn-interleaved", new Message<string, string> { Key = "b", Value = "b-1" });
        second.CommitTransaction(Timeout);

        // b committed, but a is open before it: read_committed sees nothing yet, read_uncommitted sees both.
        Assert.Empty(ReadToEnd(broker.BootstrapServers, "txn-interleaved", IsolationLevel.ReadCommitted));
        Assert.Equal(["a-1", "b-1"], ReadToEnd(broker.BootstrapServers, "txn-interleaved", IsolationLevel.ReadUncommitted));
        using (var consumer = Clients.Consumer<string, string>(broker.BootstrapServers, c => c.IsolationLevel = IsolationLevel.ReadCommitted))
        {
            // ListOffsets latest with read_committed = the LSO: the first offset of a's transaction.
            Assert.Equal(0, consumer.QueryWatermarkOffsets(new TopicPartition("txn-interleaved", 0), Timeout).High.Value);
        }

        await first.ProduceAsync("txn-interleaved", new Message<string, string> { Key = "a", Value = "a-2" });
        first.AbortTransaction(Timeout);
        Assert.Equal(["b-1"], ReadToEnd(broker.BootstrapServers, "txn-interleaved", IsolationLevel.ReadCommitted));
    }

    [Fact]
    public async Task A_second_producer_with_the_same_transactional_id_fences_the_first_and_aborts_its_transaction()
    {
        await using var broker = await TestBroker.StartAsync(output);
        await Clients.CreateTopicAsync(broker.BootstrapServers, "txn-zombie");
        using var zombie = TransactionalProducer(broker.BootstrapServers, "fenced-id");
        zombie.InitTransactions(Timeout);
        zombie.BeginTransaction();
        await zombie.ProduceAsync("txn-zombie", new Message<string, string> { Key = "z", Value = "zombie-open" });

        using var successor = TransactionalProducer(broker.BootstrapServers, "fenced-id");
        successor.InitTransactions(Timeout);

        // The zombie's open transaction was aborted by the new incarnation, and the zombie can no longer commit.
        var error = Assert.ThrowsAny<KafkaException>(() => zombie.CommitTransaction(Timeout));
        output.WriteLine($"zombie commit: {error.Error.Code} {error.Error.Reason}");
        Assert.True(error.Error.IsFatal || error.Error.Code is ErrorCode.ProducerFenced or ErrorCode.InvalidProducerEpoch or ErrorCode.Local_Fenced, error.Error.ToString());

        successor.BeginTransaction();
        await successor.ProduceAsync("txn-zombie", new Message<string, string> { Key = "s", Value = "successor" });
        successor.CommitTransaction(Timeout);
        Assert.Equal(["successor"], ReadToEnd(broker.BootstrapServers, "txn-zombie", IsolationLevel.ReadCommitted));
    }

    [Fact]
    public async Task A_transaction_open_past_its_timeout_is_aborted_by_the_broker()
    {
        await using var broker = await TestBroker.StartAsync(output);
        await Clients.CreateTopicAsync(broker.BootstrapServers, "txn-timeout");
        using var producer = TransactionalProducer(broker.BootstrapServers, "slow", timeoutMs: 2_000);
        producer.InitTransactions(Timeout);
        producer.BeginTransaction();
        await producer.ProduceAsync("txn-timeout", new Message<string, string> { Key = "k", Value = "too-slow" });

        // The records never become visible: read_committed reaches the end (the LSO moved past them) with nothing.
        var deadline = DateTime.UtcNow + Timeout;
        while (DateTime.UtcNow < deadline && broker.Broker.Context.Logs.GetPartition("txn-timeout", 0)!.LastStableOffset == 0)
        {
            await Task.Delay(100);
        }

        Assert.Empty(ReadToEnd(broker.BootstrapServers, "txn-timeout", IsolationLevel.ReadCommitted));
        Assert.ThrowsAny<KafkaException>(() => producer.CommitTransaction(Timeout));
    }

    [Fact]
    public async Task Init_producer_id_refuses_a_timeout_above_the_maximum()
    {
        await using var broker = await TestBroker.StartAsync(output, new Dictionary<string, string> { ["transaction.max.timeout.ms"] = "5000" });
        using var producer = TransactionalProducer(broker.BootstrapServers, "too-long", timeoutMs: 10_000);
        var error = Assert.ThrowsAny<KafkaException>(() => producer.InitTransactions(Timeout));
        Assert.Equal(ErrorCode.InvalidTransactionTimeout, error.Error.Code);
    }

    [Fact]
    public async Task Transactions_and_their_outcome_survive_a_restart()
    {
        await using var broker = await TestBroker.StartAsync(output);
        await Clients.CreateTopicAsync(broker.BootstrapServers, "txn-restart");
        using (var producer = TransactionalProducer(broker.BootstrapServers, "restarting"))
        {
            producer.InitTransactions(Timeout);
            producer.BeginTransaction();
            await producer.ProduceAsync("txn-restart", new Message<string, string> { Key = "k", Value = "kept" });
            producer.CommitTransaction(Timeout);
            producer.BeginTransaction();
            await producer.ProduceAsync("txn-restart", new Message<string, string> { Key = "k", Value = "dropped" });
            producer.AbortTransaction(Timeout);
        }

        await broker.RestartAsync();
        Assert.Equal(["kept"], ReadToEnd(broker.BootstrapServers, "txn-restart", IsolationLevel.ReadCommitted));

        // The producer id is kept and the epoch bumped for the next incarnation, which works as before.
        using var next = TransactionalProducer(broker.BootstrapServers, "restarting");
        next.InitTransactions(Timeout);
        next.BeginTransaction();
        await next.ProduceAsync("txn-restart", new Message<string, string> { Key = "k", Value = "after" });
        next.CommitTransaction(Timeout);
        Assert.Equal(["kept", "after"], ReadToEnd(broker.BootstrapServers, "txn-restart", IsolationLevel.ReadCommitted));
    }
}
