using Confluent.Kafka;
using Streams.Broker.Tests.Support;
using Xunit.Abstractions;

namespace Streams.Broker.Tests.Transactions;

/// <summary>The log cleaner on compacted topics written by transactional producers, seen through real clients.</summary>
public sealed class TransactionCompactionTests(ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly Dictionary<string, string> CleanerSettings = new()
    {
        ["log.cleaner.enable"] = "true",
        ["log.cleaner.backoff.ms"] = "100",
    };

    private static readonly Dictionary<string, string> SmallCompactedTopic = new()
    {
        ["cleanup.policy"] = "compact",
        ["segment.bytes"] = "1024",
        ["min.cleanable.dirty.ratio"] = "0.01",
        ["delete.retention.ms"] = "0",
    };

    private TestBroker _broker = null!;

    public async Task InitializeAsync() => _broker = await TestBroker.StartAsync(output, CleanerSettings);

    public async Task DisposeAsync() => await _broker.DisposeAsync();

    private string Bootstrap => _broker.BootstrapServers;

    private static async Task EventuallyAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"timed out waiting until {what}");
            await Task.Delay(200);
        }
    }

    private IProducer<string, string> TransactionalProducer(string transactionalId) =>
        Clients.Producer<string, string>(Bootstrap, c =>
        {
            c.TransactionalId = transactionalId;
            c.TransactionTimeoutMs = 60_000;
        });

    /// <summary>Distinct-key records big enough to roll a few 1 KiB segments, so what came before is in closed segments.</summary>
    private async Task WriteFillerAsync(string topic, string prefix)
    {
        using var producer = Clients.Producer<string, string>(Bootstrap);
        for (var i = 0; i < 12; i++)
        {
            await producer.ProduceAsync(topic, new Message<string, string> { Key = $"{prefix}-{i}", Value = new string('f', 300) });
        }
    }

    /// <summary>Key and value of every data record of partition 0, in offset order, as the isolation level sees them.</summary>
    private List<(string Key, string Value)> ReadAll(string topic, IsolationLevel isolation)
    {
        using var consumer = Clients.Consumer<string, string>(Bootstrap, c =>
        {
            c.IsolationLevel = isolation;
            c.EnablePartitionEof = true;
        });
        consumer.Assign(new TopicPartitionOffset(topic, 0, Offset.Beginning));
        var records = new List<(string, string)>();
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (DateTime.UtcNow < deadline)
        {
            var result = consumer.Consume(TimeSpan.FromMilliseconds(200));
            if (result is null)
            {
                continue;
            }

            if (result.IsPartitionEOF)
            {
                return records;
            }

            records.Add((result.Message.Key, result.Message.Value));
        }

        throw new TimeoutException("no end of partition within 20 s");
    }

    private int MarkersInClosedSegments(string topic)
    {
        var log = _broker.Broker.Context.Logs.GetPartition(topic, 0)!.Log;
        var active = log.SegmentsSnapshot[^1];
        return log.AllBatches().Count(b => b.Header.IsControl && !ReferenceEquals(b.Segment, active));
    }

    [Fact]
    public async Task Aborted_records_and_then_their_markers_leave_a_compacted_topic_while_committed_keys_keep_their_latest_value()
    {
        const string topic = "txn-compacted";
        await Clients.CreateTopicAsync(Bootstrap, topic, configs: SmallCompactedTopic);
        using (var producer = TransactionalProducer("compacted-writer"))
        {
            producer.InitTransactions(TimeSpan.FromSeconds(20));
            for (var round = 0; round < 3; round++)
            {
                producer.BeginTransaction();
                for (var k = 0; k < 5; k++)
                {
                    producer.Produce(topic, new Message<string, string> { Key = $"k{k}", Value = $"committed-{round}" });
                }

                producer.CommitTransaction(TimeSpan.FromSeconds(20));
                producer.BeginTransaction();
                for (var k = 0; k < 5; k++)
                {
                    producer.Produce(topic, new Message<string, string> { Key = $"k{k}", Value = $"aborted-{round}" });
                }

                producer.Flush(TimeSpan.FromSeconds(20)); // abort would purge what the client had not sent yet
                producer.AbortTransaction(TimeSpan.FromSeconds(20));
            }
        }

        await WriteFillerAsync(topic, "filler");

        await EventuallyAsync(
            () => !ReadAll(topic, IsolationLevel.ReadUncommitted).Any(r => r.Value.StartsWith("aborted-", StringComparison.Ordinal)),
            "the cleaner removed the aborted records");
        // Each key's last write was aborted: read_uncommitted sees the committed value only once the abort is cleaned
        // away, and read_committed must not skip it for an aborted transaction whose marker the cleaner removed.
        foreach (var isolation in new[] { IsolationLevel.ReadUncommitted, IsolationLevel.ReadCommitted })
        {
            var keyed = ReadAll(topic, isolation).Where(r => r.Key.StartsWith('k')).ToList();
            Assert.Equal(Enumerable.Range(0, 5).Select(k => ($"k{k}", "committed-2")), keyed);
        }

        // delete.retention.ms=0: the cleaning after the one that emptied their transactions removes their markers too.
        // Two stay: the last commit's (its records are the latest values) and the last abort's (the producer's last
        // batch stays, empty, for its producer state, and a marker stays while a batch of its transaction does).
        await EventuallyAsync(() => MarkersInClosedSegments(topic) == 2, "the cleaner removed the emptied transactions' markers");
        Assert.Equal(12, ReadAll(topic, IsolationLevel.ReadCommitted).Count(r => r.Key.StartsWith("filler", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task An_open_transactions_records_are_not_cleaned_until_it_commits()
    {
        const string topic = "txn-open-compacted";
        await Clients.CreateTopicAsync(Bootstrap, topic, configs: SmallCompactedTopic);
        using (var plain = Clients.Producer<string, string>(Bootstrap))
        {
            for (var i = 0; i < 3; i++)
            {
                await plain.ProduceAsync(topic, new Message<string, string> { Key = "before", Value = $"before-{i}" });
            }
        }

        using var transactional = TransactionalProducer("open-writer");
        transactional.InitTransactions(TimeSpan.FromSeconds(20));
        transactional.BeginTransaction();
        transactional.Produce(topic, new Message<string, string> { Key = "open", Value = "open-1" });
        transactional.Flush(TimeSpan.FromSeconds(20));
        transactional.Produce(topic, new Message<string, string> { Key = "open", Value = "open-2" });
        transactional.Flush(TimeSpan.FromSeconds(20));
        await WriteFillerAsync(topic, "filler");

        // The cleaner compacts what is below the open transaction ("before" keeps its latest value)...
        await EventuallyAsync(
            () => ReadAll(topic, IsolationLevel.ReadUncommitted).Count(r => r.Key == "before") == 1,
            "the cleaner compacted the records before the open transaction");
        await WriteFillerAsync(topic, "filler-2");
        await Task.Delay(1000); // several cleaner rounds (backoff 100 ms) that must leave the open transaction alone
        var open = ReadAll(topic, IsolationLevel.ReadUncommitted).Where(r => r.Key == "open").Select(r => r.Value).ToList();
        Assert.Equal(["open-1", "open-2"], open);

        // ...and once it commits, its superseded record goes like any other.
        transactional.CommitTransaction(TimeSpan.FromSeconds(20));
        await WriteFillerAsync(topic, "filler-3");
        await EventuallyAsync(
            () => ReadAll(topic, IsolationLevel.ReadCommitted).Where(r => r.Key == "open").Select(r => r.Value).SequenceEqual(["open-2"]),
            "the cleaner compacted the committed transaction");
    }
}
