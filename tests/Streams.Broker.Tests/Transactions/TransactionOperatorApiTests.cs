using Confluent.Kafka;
using Streams.Broker.Protocol.Messages;
using Streams.Broker.Tests.Support;
using Xunit.Abstractions;
using ErrorCode = Streams.Broker.Protocol.ErrorCode;

namespace Streams.Broker.Tests.Transactions;

/// <summary>
/// The operator APIs behind Kafka's Admin describeProducers/abortTransaction: DescribeProducers (61) finds the open
/// transaction of a producer at a partition, WriteTxnMarkers (27) ends it there, over raw frames.
/// </summary>
public sealed class TransactionOperatorApiTests(ITestOutputHelper output)
{
    private const string Topic = "txn-operator";
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    private static async Task<DescribeProducersResponse.PartitionResponse> DescribeAsync(RawConnection connection, string topic = Topic, int partition = 0)
    {
        var response = await connection.SendAsync<DescribeProducersRequest, DescribeProducersResponse>(
            new DescribeProducersRequest { Topics = [new DescribeProducersRequest.TopicRequest { Name = topic, PartitionIndexes = [partition] }] }, 0);
        Assert.NotNull(response);
        return Assert.Single(Assert.Single(response.Topics).Partitions);
    }

    private static async Task<ErrorCode> AbortAsync(RawConnection connection, long producerId, short epoch, short version, string topic = Topic, int partition = 0)
    {
        var response = await connection.SendAsync<WriteTxnMarkersRequest, WriteTxnMarkersResponse>(
            new WriteTxnMarkersRequest
            {
                Markers = [new WriteTxnMarkersRequest.WritableTxnMarker
                {
                    ProducerId = producerId,
                    ProducerEpoch = epoch,
                    TransactionResult = false,
                    CoordinatorEpoch = 0,
                    Topics = [new WriteTxnMarkersRequest.WritableTxnMarkerTopic { Name = topic, PartitionIndexes = [partition] }],
                }],
            },
            version);
        Assert.NotNull(response);
        var marker = Assert.Single(response.Markers);
        Assert.Equal(producerId, marker.ProducerId);
        return Assert.Single(Assert.Single(marker.Topics).Partitions).ErrorCode;
    }

    private static List<string> ReadCommittedUntil(string bootstrap, string last)
    {
        using var consumer = Clients.Consumer<string, string>(bootstrap, c => c.IsolationLevel = IsolationLevel.ReadCommitted);
        consumer.Assign(new TopicPartitionOffset(Topic, 0, Offset.Beginning));
        var values = new List<string>();
        var deadline = DateTime.UtcNow + Timeout;
        while (!values.Contains(last) && DateTime.UtcNow < deadline)
        {
            if (consumer.Consume(TimeSpan.FromMilliseconds(200)) is { IsPartitionEOF: false } result)
            {
                values.Add(result.Message.Value);
            }
        }

        return values;
    }

    [Fact]
    public async Task A_hanging_transaction_is_found_with_describe_producers_and_aborted_with_write_txn_markers()
    {
        await using var broker = await TestBroker.StartAsync(output);
        await Clients.CreateTopicAsync(broker.BootstrapServers, Topic);
        using var plain = Clients.Producer<string, string>(broker.BootstrapServers);
        await plain.ProduceAsync(Topic, new Message<string, string> { Key = "k", Value = "before" });
        using var producer = Clients.Producer<string, string>(broker.BootstrapServers, c => c.TransactionalId = "operator-hanging");
        producer.InitTransactions(Timeout);
        producer.BeginTransaction();
        var first = await producer.ProduceAsync(Topic, new Message<string, string> { Key = "k", Value = "hanging" });
        using var connection = await RawConnection.ConnectAsync(broker.BootstrapServers);

        var described = await DescribeAsync(connection);
        Assert.Equal(ErrorCode.None, described.ErrorCode);
        var open = Assert.Single(described.ActiveProducers, p => p.CurrentTxnStartOffset >= 0);
        Assert.Equal(first.Offset.Value, open.CurrentTxnStartOffset);
        Assert.Equal(0, open.LastSequence);

        Assert.Equal(ErrorCode.None, await AbortAsync(connection, open.ProducerId, (short)open.ProducerEpoch, version: 1));
        Assert.DoesNotContain((await DescribeAsync(connection)).ActiveProducers, p => p.CurrentTxnStartOffset >= 0);

        // The last stable offset moved past the aborted records: read_committed sees the later record, not them.
        await plain.ProduceAsync(Topic, new Message<string, string> { Key = "k", Value = "after" });
        Assert.Equal(["before", "after"], ReadCommittedUntil(broker.BootstrapServers, "after"));
    }

    [Fact]
    public async Task Write_txn_markers_refuses_a_stale_epoch_and_unknown_partitions()
    {
        await using var broker = await TestBroker.StartAsync(output);
        await Clients.CreateTopicAsync(broker.BootstrapServers, Topic);
        using (var zombie = Clients.Producer<string, string>(broker.BootstrapServers, c => c.TransactionalId = "operator-stale"))
        {
            zombie.InitTransactions(Timeout);
            zombie.BeginTransaction();
            await zombie.ProduceAsync(Topic, new Message<string, string> { Key = "k", Value = "zombie" });
        }

        // The next incarnation bumps the epoch; its abort marker makes the new epoch current at the partition.
        using var next = Clients.Producer<string, string>(broker.BootstrapServers, c => c.TransactionalId = "operator-stale");
        next.InitTransactions(Timeout);
        using var connection = await RawConnection.ConnectAsync(broker.BootstrapServers);
        var producer = Assert.Single((await DescribeAsync(connection)).ActiveProducers);
        Assert.Equal(1, producer.ProducerEpoch);
        Assert.Equal(-1, producer.CurrentTxnStartOffset);

        Assert.Equal(ErrorCode.InvalidProducerEpoch, await AbortAsync(connection, producer.ProducerId, 0, version: 0));
        Assert.Equal(ErrorCode.UnknownTopicOrPartition, await AbortAsync(connection, producer.ProducerId, 1, version: 0, topic: "no-such-topic"));
        Assert.Equal(ErrorCode.UnknownTopicOrPartition, (await DescribeAsync(connection, partition: 7)).ErrorCode);
    }
}
