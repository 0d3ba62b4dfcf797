using System.Collections.Concurrent;
using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Confluent.SchemaRegistry;
using Microsoft.Extensions.Logging.Abstractions;
using Streams.Contracts.Carts;
using Streams.Contracts.Topics;
using Streams.Messaging.Consuming;
using Streams.Messaging.Publishing;
using static Streams.IntegrationTests.TestEvents;

namespace Streams.IntegrationTests;

/// <summary>The consumer group host: partitions in parallel, keys in order, progress committed before partitions move.</summary>
[Collection(KafkaCollection.Name)]
public sealed class EventConsumerTests(KafkaFixture kafka) : IAsyncLifetime
{
    private const int EventsPerCart = 10;
    private CachedSchemaRegistryClient _registry = null!;
    private EventPublisher _publisher = null!;

    public async Task InitializeAsync()
    {
        // The catalog's partitions (6), not the broker default a first publish would create the topic with.
        using (var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = kafka.BootstrapServers }).Build())
        {
            try
            {
                await admin.CreateTopicsAsync([new TopicSpecification { Name = TopicCatalog.CartEvents.Name, NumPartitions = TopicCatalog.CartEvents.Partitions }]);
            }
            catch (CreateTopicsException e) when (e.Results.All(r => r.Error.Code == ErrorCode.TopicAlreadyExists))
            {
            }
        }

        _registry = new CachedSchemaRegistryClient(new SchemaRegistryConfig { Url = kafka.SchemaRegistryUrl });
        _publisher = new EventPublisher(new EventPublisherOptions { BootstrapServers = kafka.BootstrapServers, SchemaRegistryUrl = kafka.SchemaRegistryUrl }, _registry);
    }

    public Task DisposeAsync()
    {
        _publisher.Dispose();
        _registry.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task Partitions_are_handled_in_parallel_while_each_cart_keeps_its_order()
    {
        var carts = await PublishCartsAsync(12);
        var seen = new ConcurrentDictionary<string, ConcurrentQueue<int>>();
        var (inHandler, mostAtOnce) = (0, 0);

        async Task Handle(ConsumedEvent consumed, CancellationToken cancellationToken)
        {
            if (consumed.Event is ProductAddedToCart added && carts.Contains(added.cartId))
            {
                var now = Interlocked.Increment(ref inHandler);
                InterlockedMax(ref mostAtOnce, now);
                await Task.Delay(20, cancellationToken);
                seen.GetOrAdd(added.cartId, _ => new()).Enqueue(added.quantity);
                Interlocked.Decrement(ref inHandler);
            }
        }

        using var stop = new CancellationTokenSource();
        using var consumer = new EventConsumer(Options("parallel-" + Guid.NewGuid().ToString("N")), _registry, Handle, NullLogger.Instance);
        var running = consumer.RunAsync(stop.Token);
        await Eventually.TrueAsync(() => seen.Values.Sum(q => q.Count) == carts.Count * EventsPerCart, "every event handled");
        await stop.CancelAsync();
        await running;

        Assert.True(mostAtOnce > 1, $"at most {mostAtOnce} handler ran at a time");
        Assert.All(carts, cart => Assert.Equal(Enumerable.Range(1, EventsPerCart), seen[cart]));
    }

    [Fact]
    public async Task A_rebalance_commits_what_was_handled_so_the_next_owner_neither_skips_nor_repeats_events()
    {
        var carts = Enumerable.Range(0, 12).Select(_ => NewCart()).ToHashSet();
        var group = "rebalance-" + Guid.NewGuid().ToString("N");
        var handled = new ConcurrentBag<(string Consumer, string EventId)>();
        Func<ConsumedEvent, CancellationToken, Task> HandleAs(string name) => async (consumed, cancellationToken) =>
        {
            if (consumed.Event is ProductAddedToCart added && carts.Contains(added.cartId))
            {
                await Task.Delay(30, cancellationToken);
                handled.Add((name, added.eventId));
            }
        };

        using var stop = new CancellationTokenSource();
        using var first = new EventConsumer(Options(group), _registry, HandleAs("first"), NullLogger.Instance);
        var firstRunning = first.RunAsync(stop.Token);
        await PublishAsync(carts, 1..6);
        await Eventually.TrueAsync(() => handled.Count >= 10, "the first member handling events");

        // The second member joins while the first is busy: the first finishes its records in hand and commits them.
        var secondPartitions = 0;
        var secondOptions = Options(group);
        secondOptions.AssignmentChanged = count => Volatile.Write(ref secondPartitions, count);
        using var second = new EventConsumer(secondOptions, _registry, HandleAs("second"), NullLogger.Instance);
        var secondRunning = second.RunAsync(stop.Token);
        await Eventually.TrueAsync(() => Volatile.Read(ref secondPartitions) > 0, "the rebalance giving the second member partitions", TimeSpan.FromSeconds(90));
        await PublishAsync(carts, 6..(EventsPerCart + 1));
        await Eventually.TrueAsync(
            () => handled.Select(h => h.EventId).Distinct().Count() == carts.Count * EventsPerCart,
            () => $"every event handled (first {handled.Count(h => h.Consumer == "first")}, second {handled.Count(h => h.Consumer == "second")}, distinct {handled.Select(h => h.EventId).Distinct().Count()} of {carts.Count * EventsPerCart})",
            TimeSpan.FromSeconds(90));
        await stop.CancelAsync();
        await Task.WhenAll(firstRunning, secondRunning);

        var repeated = handled.GroupBy(h => h.EventId).Where(g => g.Count() > 1).Select(g => string.Join("+", g.Select(h => h.Consumer))).ToList();
        Assert.True(repeated.Count == 0, $"{repeated.Count} events handled twice across the rebalance ({string.Join(", ", repeated.Take(10))})");
        Assert.Contains(handled, h => h.Consumer == "second");
    }

    private EventConsumerOptions Options(string group) => new()
    {
        BootstrapServers = kafka.BootstrapServers,
        GroupId = group,
        Topics = [TopicCatalog.CartEvents.Name],
    };

    /// <summary>Carts with <see cref="EventsPerCart"/> additions each, quantities 1, 2, 3, ... in publishing order.</summary>
    private async Task<HashSet<string>> PublishCartsAsync(int count)
    {
        var carts = Enumerable.Range(0, count).Select(_ => NewCart()).ToHashSet();
        await PublishAsync(carts, 1..(EventsPerCart + 1));
        return carts;
    }

    /// <summary>One addition per cart for each quantity in <paramref name="quantities"/> (end exclusive), in order.</summary>
    private async Task PublishAsync(IEnumerable<string> carts, Range quantities)
    {
        for (var quantity = quantities.Start.Value; quantity < quantities.End.Value; quantity++)
        {
            await Task.WhenAll(carts.Select(cart => _publisher.PublishAsync(Added(cart, "pen", quantity, 1.10m))));
        }
    }

    private static void InterlockedMax(ref int target, int value)
    {
        for (var current = Volatile.Read(ref target); value > current; current = Volatile.Read(ref target))
        {
            if (Interlocked.CompareExchange(ref target, value, current) == current)
            {
                return;
            }
        }
    }
}
