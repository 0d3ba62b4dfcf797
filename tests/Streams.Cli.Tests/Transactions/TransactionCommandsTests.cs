using Confluent.Kafka;
using Streams.Broker;
using Streams.Cli.Tests.Support;

namespace Streams.Cli.Tests.Transactions;

/// <summary><c>streams transactions list|describe|find-hanging|abort</c> against the embedded broker, with a real transactional producer.</summary>
[Collection(ClusterCollection.Name)]
public sealed class TransactionCommandsTests(ClusterFixture cluster)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    private static async Task<IProducer<string, string>> OpenTransactionAsync(string bootstrap, string transactionalId, string topic)
    {
        var producer = new ProducerBuilder<string, string>(new ProducerConfig { BootstrapServers = bootstrap, TransactionalId = transactionalId }).Build();
        producer.InitTransactions(Timeout);
        producer.BeginTransaction();
        await producer.ProduceAsync(topic, new Message<string, string> { Key = "k", Value = "open" });
        return producer;
    }

    [Fact]
    public async Task List_and_describe_show_an_open_transaction_and_then_its_outcome()
    {
        var id = Guid.NewGuid().ToString("N")[..8];
        var topic = $"txn-cli-{id}";
        await cluster.CreateTopicAsync(topic, 2);
        using var producer = await OpenTransactionAsync(cluster.Bootstrap, $"cli-{id}", topic);

        var list = await cluster.RunAsync("transactions", "list", "-o", "json");
        var described = await cluster.RunAsync("transactions", "describe", $"cli-{id}", "-o", "json");
        var table = await cluster.RunAsync("transactions", "describe", "--transactional-id", $"cli-{id}");

        Assert.True(list.ExitCode == 0, list.ToString());
        var listed = Assert.Single(list.Json.EnumerateArray(), t => t.GetProperty("transactionalId").GetString() == $"cli-{id}");
        Assert.Equal("Ongoing", listed.GetProperty("state").GetString());
        Assert.True(described.ExitCode == 0, described.ToString());
        Assert.Equal("Ongoing", described.Json.GetProperty("state").GetString());
        Assert.Equal(listed.GetProperty("producerId").GetInt64(), described.Json.GetProperty("producerId").GetInt64());
        var partition = Assert.Single(described.Json.GetProperty("partitions").EnumerateArray());
        Assert.Equal(topic, partition.GetProperty("topic").GetString());
        Assert.Contains("PRODUCER-ID", table.Output, StringComparison.Ordinal);

        producer.CommitTransaction(Timeout);
        var after = await cluster.RunAsync("transactions", "describe", $"cli-{id}", "-o", "json");
        Assert.Equal("CompleteCommit", after.Json.GetProperty("state").GetString());

        var unknown = await cluster.RunAsync("transactions", "describe", $"no-such-{id}");
        Assert.Equal(1, unknown.ExitCode);
        Assert.Contains("does not exist", unknown.Error, StringComparison.Ordinal);

        // A transaction its coordinator still tracks is not hanging, however old.
        using var tracked = await OpenTransactionAsync(cluster.Bootstrap, $"cli-tracked-{id}", topic);
        var hanging = await cluster.RunAsync("transactions", "find-hanging", "--topic", topic, "--max-transaction-timeout", "0", "-o", "json");
        Assert.True(hanging.ExitCode == 0, hanging.ToString());
        Assert.Equal(0, hanging.Json.GetArrayLength());
        tracked.AbortTransaction(Timeout);
    }

    [Fact]
    public async Task Group_lag_for_read_committed_readers_is_measured_against_the_last_stable_offset()
    {
        var id = Guid.NewGuid().ToString("N")[..8];
        var topic = $"txn-lag-{id}";
        var group = $"txn-lag-{id}";
        await cluster.CreateTopicAsync(topic, 1);
        await cluster.ProduceAsync(topic, 1, 2, DateTimeOffset.UtcNow);
        await cluster.CommitAsync(group, topic, 2);
        using var producer = await OpenTransactionAsync(cluster.Bootstrap, $"lag-{id}", topic);

        var uncommitted = await cluster.RunAsync("groups", "describe", group, "-o", "json");
        var committed = await cluster.RunAsync("groups", "describe", group, "--isolation", "read_committed", "-o", "json");

        Assert.True(uncommitted.ExitCode == 0, uncommitted.ToString());
        Assert.Equal(1, uncommitted.Json.GetProperty("totalLag").GetInt64());
        Assert.True(committed.ExitCode == 0, committed.ToString());
        Assert.Equal("read_committed", committed.Json.GetProperty("isolation").GetString());
        Assert.Equal(0, committed.Json.GetProperty("totalLag").GetInt64());
        producer.CommitTransaction(Timeout);
        var afterCommit = await cluster.RunAsync("groups", "describe", group, "--isolation", "read_committed", "-o", "json");
        Assert.Equal(2, afterCommit.Json.GetProperty("totalLag").GetInt64());
    }

    [Fact]
    public async Task A_transaction_whose_coordinator_state_is_lost_is_found_hanging_and_aborted()
    {
        var dataDirectory = Path.Combine(Path.GetTempPath(), "streams-cli-tests", Guid.NewGuid().ToString("N"));
        const string topic = "hanging";
        try
        {
            await using (var broker = await KafkaBroker.StartAsync(new BrokerOptions { Port = 0, DataDirectory = dataDirectory }))
            {
                using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = broker.BootstrapServers }).Build();
                await admin.CreateTopicsAsync([new Confluent.Kafka.Admin.TopicSpecification { Name = topic, NumPartitions = 1, ReplicationFactor = 1 }]);
                using var producer = await OpenTransactionAsync(broker.BootstrapServers, "lost", topic);
            }

            // The coordinator's log is gone (a lost disk): the partition's transaction has nobody left to end it.
            foreach (var path in Directory.GetDirectories(dataDirectory, "__transaction_state-*"))
            {
                Directory.Delete(path, recursive: true);
            }

            File.Delete(Path.Combine(dataDirectory, "meta", "topics", "__transaction_state.json"));

            await using var restarted = await KafkaBroker.StartAsync(new BrokerOptions { Port = 0, DataDirectory = dataDirectory });
            async Task<CliRun> RunAsync(params string[] args)
            {
                using var output = new StringWriter();
                using var error = new StringWriter();
                var exit = await StreamsCli.RunAsync([.. args, "--bootstrap", restarted.BootstrapServers], output, error);
                return new CliRun(exit, output.ToString(), error.ToString());
            }

            var found = await RunAsync("transactions", "find-hanging", "--max-transaction-timeout", "0", "-o", "json");
            Assert.True(found.ExitCode == 0, found.ToString());
            var hanging = Assert.Single(found.Json.EnumerateArray());
            Assert.Equal(topic, hanging.GetProperty("topic").GetString());
            Assert.Equal(0, hanging.GetProperty("startOffset").GetInt64());
            string[] abort = ["transactions", "abort", "--topic", topic, "--partition", "0",
                "--producer-id", hanging.GetProperty("producerId").GetInt64().ToString(System.Globalization.CultureInfo.InvariantCulture),
                "--coordinator-epoch", hanging.GetProperty("coordinatorEpoch").GetInt32().ToString(System.Globalization.CultureInfo.InvariantCulture)];
            var epoch = hanging.GetProperty("producerEpoch").GetInt16();

            var stale = await RunAsync([.. abort, "--producer-epoch", "-1"]);
            Assert.True(stale.ExitCode == 1, stale.ToString());
            var aborted = await RunAsync([.. abort, "--producer-epoch", epoch.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
            Assert.True(aborted.ExitCode == 0, aborted.ToString());
            var after = await RunAsync("transactions", "find-hanging", "--max-transaction-timeout", "0", "-o", "json");
            Assert.Equal(0, after.Json.GetArrayLength());
        }
        finally
        {
            Directory.Delete(dataDirectory, recursive: true);
        }
    }
}
