using Confluent.Kafka;
using Streams.Broker.Tests.Support;
using Xunit.Abstractions;

namespace Streams.Broker.Tests.Transactions;

/// <summary>
/// Exactly-once consume-transform-produce (SendOffsetsToTransaction): a processor that dies mid-transaction, or a
/// broker that restarts under it, loses no input and duplicates no output, counted by input id.
/// </summary>
public sealed class ConsumeTransformProduceTests(ITestOutputHelper output)
{
    private const int Inputs = 100;
    private const int BatchSize = 10;
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    /// <summary>One processor incarnation: a consumer of the group and a transactional producer, both read_committed.</summary>
    private sealed class Processor : IDisposable
    {
        private readonly IConsumer<string, string> _consumer;
        private readonly IProducer<string, string> _producer;

        public Processor(string bootstrap, string transactionalId)
        {
            _consumer = Clients.Consumer<string, string>(bootstrap, c =>
            {
                c.GroupId = "ctp";
                c.IsolationLevel = IsolationLevel.ReadCommitted;
                c.SessionTimeoutMs = 6_000;
            });
            _producer = Clients.Producer<string, string>(bootstrap, c => c.TransactionalId = transactionalId);
            _producer.InitTransactions(Timeout);
            _consumer.Subscribe("ctp-in");
        }

        /// <summary>Processes one batch in a transaction; commits it unless <paramref name="commit"/> is false (then leaves it open). False when no input was left.</summary>
        public async Task<bool> ProcessBatchAsync(bool commit = true)
        {
            var batch = new List<ConsumeResult<string, string>>();
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
            while (batch.Count < BatchSize && DateTime.UtcNow < deadline)
            {
                if (_consumer.Consume(TimeSpan.FromMilliseconds(200)) is { IsPartitionEOF: false } result)
                {
                    batch.Add(result);
                    deadline = DateTime.UtcNow + TimeSpan.FromSeconds(1);
                }
            }

            if (batch.Count == 0)
            {
                return false;
            }

            _producer.BeginTransaction();
            foreach (var record in batch)
            {
                await _producer.ProduceAsync("ctp-out", new Message<string, string> { Key = record.Message.Key, Value = "out-" + record.Message.Value });
            }

            _producer.SendOffsetsToTransaction(
                batch.GroupBy(r => r.TopicPartition).Select(g => new TopicPartitionOffset(g.Key, g.Max(r => r.Offset.Value) + 1)),
                _consumer.ConsumerGroupMetadata,
                Timeout);
            if (commit)
            {
                _producer.CommitTransaction(Timeout);
            }

            return true;
        }

        public void Dispose()
        {
            _consumer.Close();
            _consumer.Dispose();
            _producer.Dispose();
        }

        /// <summary>A crash: the consumer leaves without committing anything, the producer is simply dropped.</summary>
        public void Abandon()
        {
            _consumer.Dispose();
            _producer.Dispose();
        }
    }

    private static async Task ProduceInputsAsync(string bootstrap)
    {
        await Clients.CreateTopicAsync(bootstrap, "ctp-in");
        await Clients.CreateTopicAsync(bootstrap, "ctp-out");
        using var producer = Clients.Producer<string, string>(bootstrap);
        for (var i = 0; i < Inputs; i++)
        {
            await producer.ProduceAsync("ctp-in", new Message<string, string> { Key = i.ToString(System.Globalization.CultureInfo.InvariantCulture), Value = i.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        }
    }

    private static void AssertExactlyOncePerInput(string bootstrap)
    {
        var outputs = Clients.ReadAll<string, string>(bootstrap, "ctp-out", Inputs + 1, timeout: TimeSpan.FromSeconds(5));
        var perInput = outputs.GroupBy(o => o.Message.Key).ToDictionary(g => g.Key, g => g.Count());
        Assert.DoesNotContain(perInput, p => p.Value != 1);
        Assert.Equal(Inputs, perInput.Count);
    }

    private static async Task ProcessAllAsync(Processor processor)
    {
        while (await processor.ProcessBatchAsync())
        {
        }
    }

    [Fact]
    public async Task A_processor_killed_mid_transaction_loses_nothing_and_duplicates_nothing()
    {
        await using var broker = await TestBroker.StartAsync(output);
        await ProduceInputsAsync(broker.BootstrapServers);

        var first = new Processor(broker.BootstrapServers, "ctp-processor");
        for (var i = 0; i < 3; i++)
        {
            Assert.True(await first.ProcessBatchAsync());
        }

        // The fourth transaction has its outputs and offsets in, but the process dies before the commit.
        Assert.True(await first.ProcessBatchAsync(commit: false));
        first.Abandon();

        using (var second = new Processor(broker.BootstrapServers, "ctp-processor"))
        {
            await ProcessAllAsync(second);
        }

        AssertExactlyOncePerInput(broker.BootstrapServers);
    }

    [Fact]
    public async Task A_broker_restart_mid_transaction_loses_nothing_and_duplicates_nothing()
    {
        await using var broker = await TestBroker.StartAsync(output);
        await ProduceInputsAsync(broker.BootstrapServers);

        var first = new Processor(broker.BootstrapServers, "ctp-restart");
        for (var i = 0; i < 2; i++)
        {
            Assert.True(await first.ProcessBatchAsync());
        }

        Assert.True(await first.ProcessBatchAsync(commit: false));
        await broker.RestartAsync();
        first.Abandon();

        using (var second = new Processor(broker.BootstrapServers, "ctp-restart"))
        {
            await ProcessAllAsync(second);
        }

        AssertExactlyOncePerInput(broker.BootstrapServers);
    }

    [Fact]
    public async Task A_broker_killed_with_sigkill_mid_transaction_loses_nothing_and_duplicates_nothing()
    {
        var dataDirectory = Path.Combine(Path.GetTempPath(), "streams-broker-tests", Guid.NewGuid().ToString("N"));
        try
        {
            Processor first;
            using (var process = await BrokerProcess.StartAsync(dataDirectory))
            {
                await ProduceInputsAsync(process.BootstrapServers);
                first = new Processor(process.BootstrapServers, "ctp-kill");
                for (var i = 0; i < 2; i++)
                {
                    Assert.True(await first.ProcessBatchAsync());
                }

                Assert.True(await first.ProcessBatchAsync(commit: false));
                process.Kill();
            }

            first.Abandon();

            // The restarted process listens on a new port: the next incarnation finds it there.
            using var restarted = await BrokerProcess.StartAsync(dataDirectory);
            using (var second = new Processor(restarted.BootstrapServers, "ctp-kill"))
            {
                await ProcessAllAsync(second);
            }

            AssertExactlyOncePerInput(restarted.BootstrapServers);
            Assert.Empty(restarted.ErrorLines);
        }
        finally
        {
            Directory.Delete(dataDirectory, recursive: true);
        }
    }
}
