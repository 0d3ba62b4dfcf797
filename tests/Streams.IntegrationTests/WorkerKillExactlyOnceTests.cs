using System.Text;
using Confluent.Kafka;
using Confluent.SchemaRegistry;
using Streams.Broker.Tests.Support;
using Streams.Contracts.Carts;
using Streams.Contracts.Topics;
using Streams.Messaging.Events;
using Streams.Messaging.Publishing;
using Streams.Registry;
using Xunit.Abstractions;
using static Streams.IntegrationTests.TestEvents;

namespace Streams.IntegrationTests;

/// <summary>
/// The real worker process, SIGKILLed while checkouts stream in and started again on the same data directory, against
/// a broker in its own process and a registry in the test's: with <c>Streams:ProcessingGuarantee=ExactlyOnce</c> a
/// read_committed reader sees every order exactly once (by event id), none missing. At-least-once under the same kill
/// must miss nothing too, and may write an order twice (not asserted either way).
/// </summary>
public sealed class WorkerKillExactlyOnceTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int Carts = 150;
    private const string ApplicationId = "kill-test-topology";
    private static readonly TimeSpan Generous = TimeSpan.FromMinutes(4);
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "streams-integration-tests", "worker-kill-" + Guid.NewGuid().ToString("N"));
    private BrokerProcess _broker = null!;
    private SchemaRegistryHost _registry = null!;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(Path.Combine(_directory, "worker"));
        _broker = await BrokerProcess.StartAsync(Path.Combine(_directory, "broker"));
        _registry = await SchemaRegistryHost.StartAsync(new SchemaRegistryOptions { KafkaBootstrapServers = _broker.BootstrapServers, Listen = "http://127.0.0.1:0" });
    }

    public async Task DisposeAsync()
    {
        await _registry.DisposeAsync();
        _broker.Dispose();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private Task<WorkerProcess> StartWorkerAsync(string guarantee) => WorkerProcess.StartAsync(Path.Combine(_directory, "worker"),
    [
        $"--Kafka:BootstrapServers={_broker.BootstrapServers}",
        $"--SchemaRegistry:Url={_registry.Url}",
        $"--Streams:ProcessingGuarantee={guarantee}",
        $"--Streams:ApplicationId={ApplicationId}",
        $"--Streams:DataDirectory={Path.Combine(_directory, "worker", "data")}",
        "--Streams:Simulator:Enabled=false",
        "--Logging:LogLevel:Default=Warning",
    ], Generous);

    [Theory]
    [InlineData("ExactlyOnce")]
    [InlineData("AtLeastOnce")]
    public async Task Orders_survive_a_SIGKILLed_worker_exactly_once_under_ExactlyOnce_and_without_gaps_under_either(string guarantee)
    {
        var exactlyOnce = guarantee == "ExactlyOnce";
        var worker = await StartWorkerAsync(guarantee);
        try
        {
            using var publisher = new EventPublisher(
                new EventPublisherOptions { BootstrapServers = _broker.BootstrapServers, SchemaRegistryUrl = _registry.Url },
                new CachedSchemaRegistryClient(new SchemaRegistryConfig { Url = _registry.Url }));
            var carts = Enumerable.Range(0, Carts).Select(_ => NewCart()).ToList();
            var expected = carts.Select(c => EventIds.Derived(CheckedOut(c).eventId, OrderPlaced._SCHEMA.Fullname)).ToHashSet(StringComparer.Ordinal);

            // Checkouts keep coming while the worker dies and comes back: the kill lands mid-stream, not between batches.
            var publishing = Task.Run(async () =>
            {
                foreach (var cart in carts)
                {
                    await publisher.PublishAsync(Added(cart, "book", 1, 9.99m));
                    await publisher.PublishAsync(CheckedOut(cart));
                    await Task.Delay(40);
                }
            });

            await Eventually.TrueAsync(() => ReadOrders().Count >= Carts / 5, () => $"a fifth of the orders before the kill: {worker.Tail}", Generous);
            worker.Kill();
            var beforeRestart = ReadOrders().Count;
            output.WriteLine($"{guarantee}: {beforeRestart} orders visible to read_committed when the worker was killed");
            await publishing;

            worker = await StartWorkerAsync(guarantee);
            await Eventually.TrueAsync(() => expected.IsSubsetOf(ReadOrders()), () => $"every order after the restart: {worker.Tail}", Generous);

            // Everything the topology read is committed now, so no replay can add an order after the count below.
            await Eventually.TrueAsync(InputFullyCommitted, "the topology's offsets at the end of cart-events", Generous);
            var orders = ReadOrders();
            var counts = orders.GroupBy(id => id, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
            output.WriteLine($"{guarantee}: {orders.Count} orders read for {Carts} checkouts, {counts.Count(c => c.Value > 1)} ids more than once");

            Assert.Empty(expected.Except(counts.Keys));
            Assert.Empty(counts.Keys.Except(expected));
            if (exactlyOnce)
            {
                Assert.True(counts.Values.All(n => n == 1), $"orders written more than once: {string.Join(", ", counts.Where(c => c.Value > 1).Select(c => $"{c.Key} x{c.Value}"))}");
            }
        }
        finally
        {
            worker.Dispose();
        }
    }

    /// <summary>The <c>ce_id</c> of every order a read_committed reader sees now (each partition read to its end).</summary>
    private List<string> ReadOrders()
    {
        using var consumer = new ConsumerBuilder<Ignore, Ignore>(new ConsumerConfig
        {
            BootstrapServers = _broker.BootstrapServers,
            GroupId = "kill-check-" + Guid.NewGuid().ToString("N"),
            IsolationLevel = IsolationLevel.ReadCommitted,
            EnablePartitionEof = true,
            EnableAutoCommit = false,
        }).Build();
        var partitions = TopicCatalog.Orders.Partitions;
        consumer.Assign(Enumerable.Range(0, partitions).Select(p => new TopicPartitionOffset(TopicCatalog.Orders.Name, p, Offset.Beginning)));
        var ids = new List<string>();
        var ended = new HashSet<int>();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (ended.Count < partitions && DateTime.UtcNow < deadline)
        {
            if (consumer.Consume(TimeSpan.FromMilliseconds(200)) is not { } result)
            {
                continue;
            }

            if (result.IsPartitionEOF)
            {
                ended.Add(result.Partition.Value);
            }
            else if (result.Message.Headers.TryGetLastBytes(CloudEventHeaders.Id, out var id))
            {
                ids.Add(Encoding.UTF8.GetString(id));
            }
        }

        return ids;
    }

    /// <summary>True when the topology's group has committed the end of every cart-events partition.</summary>
    private bool InputFullyCommitted()
    {
        using var consumer = new ConsumerBuilder<Ignore, Ignore>(new ConsumerConfig { BootstrapServers = _broker.BootstrapServers, GroupId = ApplicationId, EnableAutoCommit = false }).Build();
        var partitions = Enumerable.Range(0, TopicCatalog.CartEvents.Partitions).Select(p => new TopicPartition(TopicCatalog.CartEvents.Name, p)).ToList();
        try
        {
            // read_committed (librdkafka's default) asks for stable offsets: an open transaction's are not answered yet.
            var committed = consumer.Committed(partitions, TimeSpan.FromSeconds(10));
            return committed.All(c => c.Offset.Value == consumer.QueryWatermarkOffsets(c.TopicPartition, TimeSpan.FromSeconds(10)).High.Value);
        }
        catch (KafkaException)
        {
            return false;
        }
    }
}
