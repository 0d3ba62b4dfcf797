using Avro;
using Avro.Specific;
using Confluent.Kafka;
using Streamiz.Kafka.Net.SerDes;
using Streams.Contracts;
using Streams.Contracts.Carts;
using Streams.Contracts.Topics;
using Streams.Topology.Carts;
using Streams.Topology.Serdes;

namespace Streams.Topology.Tests;

public sealed class CartTopologyTests(RegistryFixture registry) : IClassFixture<RegistryFixture>
{
    private static readonly DateTime Start = new(2026, 11, 27, 10, 0, 0, DateTimeKind.Utc);

    private static ProductAddedToCart Added(string cart, string product, int quantity, decimal price, int minute) => new()
    {
        eventId = Guid.NewGuid().ToString(), occurredAt = Start.AddMinutes(minute), cartId = cart, customerId = "c-1",
        productId = product, quantity = quantity, unitPrice = Money.Of(price), currency = "EUR",
    };

    private static ProductRemovedFromCart Removed(string cart, string product, int quantity, int minute) => new()
    {
        eventId = Guid.NewGuid().ToString(), occurredAt = Start.AddMinutes(minute), cartId = cart, customerId = "c-1", productId = product, quantity = quantity,
    };

    private static CartCheckedOut CheckedOut(string cart, int minute) => new()
    {
        eventId = "checkout-" + cart, occurredAt = Start.AddMinutes(minute), cartId = cart, customerId = "c-1",
    };

    private AvroSerDes<ISpecificRecord> Events => new(registry.Client, TopicCatalog.CartEvents.SubjectNaming);

    [Fact]
    public void Adds_and_removes_fold_into_the_cart_state()
    {
        using var driver = TestDriver.Create(b => CartTopology.Build(b, registry.Client));
        var input = driver.CreateInputTopic(TopicCatalog.CartEvents.Name, new StringSerDes(), Events);
        var states = driver.CreateOutputTopic(TopicCatalog.CartState.Name, TimeSpan.FromSeconds(1), new StringSerDes(), new AvroSerDes<CartState>(registry.Client, TopicCatalog.CartState.SubjectNaming));

        input.PipeInput("cart-1", Added("cart-1", "apple", 2, 0.50m, 0));
        input.PipeInput("cart-1", Added("cart-1", "pear", 1, 0.80m, 1));
        input.PipeInput("cart-1", Added("cart-1", "apple", 3, 0.45m, 2));
        input.PipeInput("cart-1", Removed("cart-1", "pear", 1, 3));

        var updates = states.ReadKeyValueList().ToList();
        Assert.Equal(4, updates.Count);
        var latest = updates[^1].Message.Value;
        var line = Assert.Single(latest.lines);
        Assert.Equal(("apple", 5, 0.45m), (line.productId, line.quantity, (decimal)line.unitPrice));
        Assert.False(latest.checkedOut);
        Assert.Equal(Start.AddMinutes(3), latest.updatedAt);
        Assert.Equal("apple", Assert.Single(driver.GetKeyValueStore<string, CartState>(CartTopology.StoreName).Get("cart-1").lines).productId);
    }

    [Theory]
    [InlineData(Streamiz.Kafka.Net.Mock.TopologyTestDriver.Mode.SYNC_TASK)]
    [InlineData(Streamiz.Kafka.Net.Mock.TopologyTestDriver.Mode.ASYNC_CLUSTER_IN_MEMORY)]
    public void Checkout_joined_with_the_cart_state_places_an_order_with_its_total(Streamiz.Kafka.Net.Mock.TopologyTestDriver.Mode mode)
    {
        using var driver = TestDriver.Create(b => CartTopology.Build(b, registry.Client), mode);
        var input = driver.CreateInputTopic(TopicCatalog.CartEvents.Name, new StringSerDes(), Events);
        var orders = driver.CreateOutputTopic(TopicCatalog.Orders.Name, TimeSpan.FromSeconds(5), new StringSerDes(), new AvroSerDes<OrderPlaced>(registry.Client, TopicCatalog.Orders.SubjectNaming));

        input.PipeInput("cart-2", Added("cart-2", "book", 2, 12.99m, 0));
        input.PipeInput("cart-2", Added("cart-2", "pen", 3, 1.10m, 1));
        input.PipeInput("cart-9", Added("cart-9", "lamp", 1, 40m, 1));
        input.PipeInput("cart-2", CheckedOut("cart-2", 5));

        var order = Assert.Single(orders.ReadKeyValueList()).Message;
        Assert.Equal("cart-2", order.Key);
        Assert.Equal("checkout-cart-2", order.Value.orderId);
        Assert.Equal(2 * 12.99m + 3 * 1.10m, (decimal)order.Value.total);
        Assert.Equal(["book", "pen"], order.Value.lines.Select(l => l.productId));
        Assert.Equal("EUR", order.Value.currency);
    }

    [Fact]
    public void A_closed_cart_ignores_later_events_and_places_its_order_once()
    {
        using var driver = TestDriver.Create(b => CartTopology.Build(b, registry.Client));
        var input = driver.CreateInputTopic(TopicCatalog.CartEvents.Name, new StringSerDes(), Events);
        var orders = driver.CreateOutputTopic(TopicCatalog.Orders.Name, TimeSpan.FromSeconds(1), new StringSerDes(), new AvroSerDes<OrderPlaced>(registry.Client, TopicCatalog.Orders.SubjectNaming));

        input.PipeInput("cart-5", Added("cart-5", "cup", 1, 3m, 0));
        input.PipeInput("cart-5", CheckedOut("cart-5", 1));
        input.PipeInput("cart-5", Added("cart-5", "plate", 4, 5m, 2));
        input.PipeInput("cart-5", Removed("cart-5", "cup", 1, 3));

        var order = Assert.Single(orders.ReadKeyValueList()).Message.Value;
        Assert.Equal(3m, (decimal)order.total);
        var state = driver.GetKeyValueStore<string, CartState>(CartTopology.StoreName).Get("cart-5");
        Assert.True(state.checkedOut);
        Assert.Equal("cup", Assert.Single(state.lines).productId);
    }

    [Fact]
    public void Removing_more_than_is_in_the_cart_drops_the_line_without_going_negative()
    {
        using var driver = TestDriver.Create(b => CartTopology.Build(b, registry.Client));
        var input = driver.CreateInputTopic(TopicCatalog.CartEvents.Name, new StringSerDes(), Events);

        input.PipeInput("cart-6", Added("cart-6", "pen", 2, 1.10m, 0));
        input.PipeInput("cart-6", Added("cart-6", "ink", 1, 4.00m, 0));
        input.PipeInput("cart-6", Removed("cart-6", "pen", 5, 1));
        input.PipeInput("cart-6", Removed("cart-6", "never-added", 1, 2));

        var state = driver.GetKeyValueStore<string, CartState>(CartTopology.StoreName).Get("cart-6");
        Assert.Equal("ink", Assert.Single(state.lines).productId);
    }

    [Fact]
    public void Checking_out_an_empty_cart_places_no_order()
    {
        using var driver = TestDriver.Create(b => CartTopology.Build(b, registry.Client));
        var input = driver.CreateInputTopic(TopicCatalog.CartEvents.Name, new StringSerDes(), Events);
        var orders = driver.CreateOutputTopic(TopicCatalog.Orders.Name, TimeSpan.FromSeconds(1), new StringSerDes(), new AvroSerDes<OrderPlaced>(registry.Client, TopicCatalog.Orders.SubjectNaming));

        input.PipeInput("cart-3", Added("cart-3", "cup", 1, 3m, 0));
        input.PipeInput("cart-3", Removed("cart-3", "cup", 1, 1));
        input.PipeInput("cart-3", CheckedOut("cart-3", 2));

        Assert.Empty(orders.ReadKeyValueList());
    }

    [Fact]
    public void Trace_context_headers_flow_from_the_checkout_to_the_order()
    {
        using var driver = TestDriver.Create(b => CartTopology.Build(b, registry.Client));
        var input = driver.CreateInputTopic(TopicCatalog.CartEvents.Name, new StringSerDes(), Events);
        var orders = driver.CreateOutputTopic(TopicCatalog.Orders.Name, TimeSpan.FromSeconds(1), new StringSerDes(), new AvroSerDes<OrderPlaced>(registry.Client, TopicCatalog.Orders.SubjectNaming));
        const string traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

        input.PipeInput("cart-4", Added("cart-4", "tea", 1, 4m, 0));
        input.PipeInput("cart-4", CheckedOut("cart-4", 1), DateTime.UtcNow, new Headers { { "traceparent", System.Text.Encoding.ASCII.GetBytes(traceparent) } });

        var order = Assert.Single(orders.ReadKeyValueList());
        Assert.Equal(traceparent, System.Text.Encoding.ASCII.GetString(order.Message.Headers.GetLastBytes("traceparent")));
    }
}
