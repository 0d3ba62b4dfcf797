using Avro.Specific;
using Confluent.SchemaRegistry;
using Streamiz.Kafka.Net;
using Streamiz.Kafka.Net.SerDes;
using Streamiz.Kafka.Net.State;
using Streamiz.Kafka.Net.Table;
using Streams.Contracts.Carts;
using Streams.Contracts.Topics;
using Streams.Topology.Events;
using Streams.Topology.Serdes;
using Streams.Topology.Sinks;
using Streams.Topology.Tracing;

namespace Streams.Topology.Carts;

/// <summary>
/// Cart events → the current state of each cart (a changelog-backed store, published to the compacted cart-state
/// topic) and, at checkout, the order: the checkout joined with its cart's state. The join happens inside the
/// aggregation (the checkout is applied to the state it belongs to, and that update becomes the order), because a
/// DSL stream-table join against the same aggregate was seen to miss the state when a cart's events arrive in one
/// batch (Streamiz 1.8.2, outside TopologyTestDriver's synchronous mode).
/// </summary>
public static class CartTopology
{
    /// <summary>Name of the state store holding every cart (queryable, and its changelog topic is named after it).</summary>
    public const string StoreName = "cart-state-store";

    public static void Build(StreamBuilder builder, ISchemaRegistryClient registry, string applicationId = "streams-topology")
    {
        var keys = new StringSerDes();
        var events = new AvroSerDes<ISpecificRecord>(registry, TopicCatalog.CartEvents.SubjectNaming);
        var states = new AvroSerDes<CartState>(registry, TopicCatalog.CartState.SubjectNaming);
        var orders = new AvroSerDes<OrderPlaced>(registry, TopicCatalog.Orders.SubjectNaming);

        var cartEvents = builder.Stream(TopicCatalog.CartEvents.Name, keys, events, "cart-events").Traced(TopicCatalog.CartEvents.Name, applicationId);

        var cartStates = cartEvents
            .GroupByKey("carts-by-id")
            .Aggregate(
                CartStateAggregator.Empty,
                (cartId, cartEvent, state) => CartStateAggregator.Apply(cartId, cartEvent, state),
                InMemory.As<string, CartState>(StoreName).WithKeySerdes(keys).WithValueSerdes(states).WithCachingDisabled(),
                "cart-state");

        var source = "/" + applicationId;
        cartStates.ToStream("cart-state-updates")
            .WithEventHeaders(source, "cart-state-headers", state => state.lastEventId)
            .ToTopic(TopicCatalog.CartState.Name, keys, states, "cart-state-sink");

        cartStates
            .ToStream("cart-state-changes")
            .Filter((_, state, _) => CartStateAggregator.IsCheckout(state), "checkouts")
            .MapValues((state, _) => CartStateAggregator.PlaceOrder(state)!, "place-order")
            .Filter((_, order, _) => order is not null, "non-empty-orders")
            .WithEventHeaders(source, "order-headers", order => order.orderId)
            .ToTopic(TopicCatalog.Orders.Name, keys, orders, "orders-sink");
    }
}
