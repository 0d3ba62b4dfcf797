using Confluent.Kafka;
using Streams.Broker.Producers;
using Streams.Broker.Protocol.Messages;
using Streams.Broker.Tests.Support;
using Xunit.Abstractions;
using ErrorCode = Streams.Broker.Protocol.ErrorCode;

namespace Streams.Broker.Tests.Transactions;

/// <summary>
/// The transaction coordinator's epoch, as clients see it: DescribeProducers reports the coordinator epoch of a
/// producer's last marker at a partition, a restart of the broker makes the coordinator take a new one, and a
/// WriteTxnMarkers from an older coordinator epoch is fenced.
/// </summary>
public sealed class CoordinatorEpochTests(ITestOutputHelper output)
{
    private const string Topic = "txn-coordinator-epoch";
    private const string TransactionalId = "epoch-producer";
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    private static async Task<DescribeProducersResponse.ProducerState> ProducerAsync(string bootstrap)
    {
        using var connection = await RawConnection.ConnectAsync(bootstrap);
        var response = await connection.SendAsync<DescribeProducersRequest, DescribeProducersResponse>(
            new DescribeProducersRequest { Topics = [new DescribeProducersRequest.TopicRequest { Name = Topic, PartitionIndexes = [0] }] }, 0);
        Assert.NotNull(response);
        var partition = Assert.Single(Assert.Single(response.Topics).Partitions);
        Assert.Equal(ErrorCode.None, partition.ErrorCode);
        return Assert.Single(partition.ActiveProducers);
    }

    private static async Task CommitOneAsync(string bootstrap, string value)
    {
        using var producer = Clients.Producer<string, string>(bootstrap, c => c.TransactionalId = TransactionalId);
        producer.InitTransactions(Timeout);
        producer.BeginTransaction();
        await producer.ProduceAsync(Topic, new Message<string, string> { Key = "k", Value = value });
        producer.CommitTransaction(Timeout);
    }

    [Fact]
    public async Task The_coordinator_epoch_grows_across_a_restart_and_fences_markers_of_the_older_one()
    {
        await using var broker = await TestBroker.StartAsync(output);
        await Clients.CreateTopicAsync(broker.BootstrapServers, Topic);
        using (var producer = Clients.Producer<string, string>(broker.BootstrapServers, c => c.TransactionalId = TransactionalId))
        {
            producer.InitTransactions(Timeout);
            producer.BeginTransaction();
            await producer.ProduceAsync(Topic, new Message<string, string> { Key = "k", Value = "first" });

            // No marker for the producer at the partition yet: no coordinator epoch there (Kafka's -1).
            Assert.Equal(-1, (await ProducerAsync(broker.BootstrapServers)).CoordinatorEpoch);
            producer.CommitTransaction(Timeout);
        }

        var before = await ProducerAsync(broker.BootstrapServers);
        Assert.True(before.CoordinatorEpoch >= 0, $"coordinator epoch {before.CoordinatorEpoch} after a commit marker");

        await broker.RestartAsync();
        await CommitOneAsync(broker.BootstrapServers, "second");
        var after = await ProducerAsync(broker.BootstrapServers);
        Assert.Equal(before.ProducerId, after.ProducerId);
        Assert.Equal(before.CoordinatorEpoch + 1, after.CoordinatorEpoch);

        // Kept by a restart (the marker's value in the log, and the producer snapshot of a clean stop).
        await broker.RestartAsync();
        Assert.Equal(after.CoordinatorEpoch, (await ProducerAsync(broker.BootstrapServers)).CoordinatorEpoch);

        // An operator's marker naming the older coordinator epoch does not end the open transaction; the current one does.
        using var open = Clients.Producer<string, string>(broker.BootstrapServers, c => c.TransactionalId = TransactionalId);
        open.InitTransactions(Timeout);
        open.BeginTransaction();
        await open.ProduceAsync(Topic, new Message<string, string> { Key = "k", Value = "open" });
        var current = await ProducerAsync(broker.BootstrapServers);
        using var connection = await RawConnection.ConnectAsync(broker.BootstrapServers);
        Assert.Equal(ErrorCode.CoordinatorTransactionFenced, await AbortAsync(connection, current, before.CoordinatorEpoch));
        Assert.True(current.CurrentTxnStartOffset >= 0);
        Assert.Equal(current.CurrentTxnStartOffset, (await ProducerAsync(broker.BootstrapServers)).CurrentTxnStartOffset);
        Assert.Equal(ErrorCode.None, await AbortAsync(connection, current, current.CoordinatorEpoch));
        Assert.Equal(-1, (await ProducerAsync(broker.BootstrapServers)).CurrentTxnStartOffset);
    }

    [Fact]
    public void The_producer_snapshot_keeps_the_coordinator_epoch_of_the_last_marker()
    {
        var path = Path.Combine(Path.GetTempPath(), "streams-broker-tests", Guid.NewGuid().ToString("N") + ".producer-snapshot");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        try
        {
            var state = new ProducerStateManager();
            state.OnMarker(42, 3, 1000, coordinatorEpoch: 5);
            state.OnMarker(43, 0, 1000, coordinatorEpoch: 2);
            state.OnMarker(43, 0, 1001, coordinatorEpoch: 1);
            state.WriteSnapshot(path);

            var restored = new ProducerStateManager();
            Assert.True(restored.TryLoadSnapshot(path));
            Assert.Equal(5, restored.CoordinatorEpochOf(42));
            Assert.Equal((short)3, restored.EpochOf(42));
            Assert.Equal(2, restored.CoordinatorEpochOf(43));
            Assert.Equal(-1, restored.CoordinatorEpochOf(44));
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static async Task<ErrorCode> AbortAsync(RawConnection connection, DescribeProducersResponse.ProducerState producer, int coordinatorEpoch)
    {
        var response = await connection.SendAsync<WriteTxnMarkersRequest, WriteTxnMarkersResponse>(
            new WriteTxnMarkersRequest
            {
                Markers = [new WriteTxnMarkersRequest.WritableTxnMarker
                {
                    ProducerId = producer.ProducerId,
                    ProducerEpoch = (short)producer.ProducerEpoch,
                    TransactionResult = false,
                    CoordinatorEpoch = coordinatorEpoch,
                    Topics = [new WriteTxnMarkersRequest.WritableTxnMarkerTopic { Name = Topic, PartitionIndexes = [0] }],
                }],
            },
            1);
        Assert.NotNull(response);
        return Assert.Single(Assert.Single(Assert.Single(response.Markers).Topics).Partitions).ErrorCode;
    }
}
