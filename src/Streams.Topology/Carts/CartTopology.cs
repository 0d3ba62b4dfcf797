using Avro.Specific;
using Confluent.SchemaRegistry;
using Streamiz.Kafka.Net;
using Streamiz.Kafka.Net.SerDes;
using Streamiz.Kafka.Net.State;
using Streamiz.Kafka.Net.Table;
using Streams.Contracts.Carts;
using Streams.Contracts.Topics;
using Streams.Topology.Serdes;

namespace Streams.Topology.Carts;

/// <summary>
/// Cart events → the current state of each cart (a changelog-backed store, published to the compacted cart-state
/// topic) and, at checkout, the order: the checkout joined with its cart's state. Both read one stream keyed by cart
/// id, so a cart's events are processed in order and the join never sees a state older than the checkout.
/// </summary>
public static class CartTopology
{
    /// <summary>Name of the state store holding every cart (queryable, and its changelog topic is named after it).</summary>
    public const string StoreName = "cart-state-store";

    public static void Build(StreamBuilder builder, ISchemaRegistryClient registry)
    {
        var keys = new StringSerDes();
        var events = new AvroSerDes<ISpecificRecord>(registry, TopicCatalog.CartEvents.SubjectNameStrategy);
        var states = new AvroSerDes<CartState>(registry, TopicCatalog.CartState.SubjectNameStrategy);
        var orders = new AvroSerDes<OrderPlaced>(registry, TopicCatalog.Orders.SubjectNameStrategy);

        var cartEvents = builder.Stream(TopicCatalog.CartEvents.Name, keys, events, "cart-events");

        var cartStates = cartEvents
            .GroupByKey("carts-by-id")
            .Aggregate(
                CartStateAggregator.Empty,
                (cartId, cartEvent, state) => CartStateAggregator.Apply(cartId, cartEvent, state),
                InMemory.As<string, CartState>(StoreName).WithKeySerdes(keys).WithValueSerdes(states).WithCachingDisabled(),
                "cart-state");

        cartStates.ToStream("cart-state-updates").To(TopicCatalog.CartState.Name, keys, states, "cart-state-sink");

        cartEvents
            .Filter((_, cartEvent, _) => cartEvent is CartCheckedOut, "checkouts")
            .Join(cartStates, (checkout, state) => CartStateAggregator.PlaceOrder((CartCheckedOut)checkout, state)!, "checkout-with-cart")
            .Filter((_, order, _) => order is not null, "non-empty-orders")
            .To(TopicCatalog.Orders.Name, keys, orders, "orders-sink");
    }
}
