using Confluent.Kafka;
using Microsoft.Extensions.Logging.Abstractions;
using Streams.Broker.Configs;
using Streams.Broker.Storage;
using Streams.Broker.Tests.Support;
using Streams.Broker.Transactions;
using Xunit.Abstractions;

namespace Streams.Broker.Tests.Transactions;

/// <summary>
/// The broker process killed with SIGKILL while transactions are open or half-ended: on restart a transaction stored
/// as PrepareCommit is completed, an Ongoing one is aborted at its timeout, and read_committed consumers see every
/// committed record once and no aborted one.
/// </summary>
public sealed class TransactionCrashTests(ITestOutputHelper output) : IDisposable
{
    private const string Topic = "txn-crash";
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);
    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), "streams-broker-tests", Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        try
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static IProducer<string, string> TransactionalProducer(string bootstrap, string transactionalId) =>
        Clients.Producer<string, string>(bootstrap, c =>
        {
            c.TransactionalId = transactionalId;
            c.TransactionTimeoutMs = 4_000;
            c.MessageTimeoutMs = 4_000;
        });

    private static async Task ProduceInTransactionAsync(IProducer<string, string> producer, string prefix, int count)
    {
        producer.BeginTransaction();
        for (var i = 0; i < count; i++)
        {
            await producer.ProduceAsync(Topic, new Message<string, string> { Key = prefix, Value = $"{prefix}-{i}" });
        }
    }

    /// <summary>Reads with read_committed until <paramref name="last"/> shows up (the LSO must pass everything before it).</summary>
    private static List<string> ReadCommittedUntil(string bootstrap, string last)
    {
        using var consumer = Clients.Consumer<string, string>(bootstrap, c => c.IsolationLevel = IsolationLevel.ReadCommitted);
        consumer.Assign(new TopicPartitionOffset(Topic, 0, Offset.Beginning));
        var values = new List<string>();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!values.Contains(last) && DateTime.UtcNow < deadline)
        {
            if (consumer.Consume(TimeSpan.FromMilliseconds(200)) is { IsPartitionEOF: false } result)
            {
                values.Add(result.Message.Value);
            }
        }

        return values;
    }

    /// <summary>
    /// Rewrites the stored state of <paramref name="transactionalId"/> as PrepareCommit, offline: exactly what a crash
    /// leaves when it strikes after the coordinator stored the decision and before any marker was written.
    /// </summary>
    private void StorePrepareCommit(string transactionalId)
    {
        using var logs = new LogManager(_dataDirectory, new BrokerConfig(0, null), NullLoggerFactory.Instance, TimeProvider.System);
        logs.Load();
        var log = new TransactionLog(logs, NullLogger.Instance, TimeProvider.System);
        var metadata = log.Load()[transactionalId];
        Assert.Equal(TransactionState.Ongoing, metadata.State);
        metadata.State = TransactionState.PrepareCommit;
        Assert.True(log.Write(metadata));
    }

    [Fact]
    public async Task After_kill_9_prepared_commits_complete_open_transactions_abort_and_committed_records_appear_once()
    {
        using (var process = await BrokerProcess.StartAsync(_dataDirectory))
        {
            await Clients.CreateTopicAsync(process.BootstrapServers, Topic);
            using var committed = TransactionalProducer(process.BootstrapServers, "crash-committed");
            using var prepared = TransactionalProducer(process.BootstrapServers, "crash-prepared");
            using var open = TransactionalProducer(process.BootstrapServers, "crash-open");
            committed.InitTransactions(Timeout);
            prepared.InitTransactions(Timeout);
            open.InitTransactions(Timeout);

            await ProduceInTransactionAsync(committed, "committed", 10);
            committed.CommitTransaction(Timeout);
            await ProduceInTransactionAsync(prepared, "prepared", 10);
            await ProduceInTransactionAsync(open, "open", 10);
            process.Kill();
            Assert.Empty(process.ErrorLines);
        }

        StorePrepareCommit("crash-prepared");

        using var restarted = await BrokerProcess.StartAsync(_dataDirectory);
        using (var plain = Clients.Producer<string, string>(restarted.BootstrapServers))
        {
            await plain.ProduceAsync(Topic, new Message<string, string> { Key = "after", Value = "after" });
        }

        // "after" becomes visible only once the open transaction is aborted at its timeout (the LSO holds it back until then).
        var values = ReadCommittedUntil(restarted.BootstrapServers, "after");
        output.WriteLine(string.Join(",", values));
        string[] expected = [.. Enumerable.Range(0, 10).Select(i => $"committed-{i}"), .. Enumerable.Range(0, 10).Select(i => $"prepared-{i}"), "after"];
        Assert.Equal(expected, values);
        Assert.Empty(restarted.ErrorLines);
    }
}
