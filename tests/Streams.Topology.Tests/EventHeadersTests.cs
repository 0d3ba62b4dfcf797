using System.Text;
using Avro.Specific;
using Confluent.Kafka;
using Streamiz.Kafka.Net.SerDes;
using Streams.Contracts;
using Streams.Contracts.Carts;
using Streams.Contracts.Logins;
using Streams.Contracts.Topics;
using Streams.Messaging.Events;
using Streams.Topology.Carts;
using Streams.Topology.Logins;
using Streams.Topology.Serdes;

namespace Streams.Topology.Tests;

/// <summary>
/// Every topic the topologies write: the record's headers say what the record is (its own id and type, not the
/// input's, which Streamiz would otherwise copy), what caused it, and which chain it belongs to.
/// </summary>
public sealed class EventHeadersTests(RegistryFixture registry) : IClassFixture<RegistryFixture>
{
    private static readonly DateTime Start = new(2026, 11, 27, 10, 0, 0, DateTimeKind.Utc);

    private static Headers Published(ISpecificRecord @event, string id, string? correlation = null)
    {
        var headers = new Headers { { "traceparent", Encoding.UTF8.GetBytes("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01") } };
        new EventMetadata(id, @event.Schema.Fullname, "/test", Start, null, correlation ?? id).WriteTo(headers);
        return headers;
    }

    private static string Header(Headers headers, string name) =>
        headers.TryGetLastBytes(name, out var bytes) ? Encoding.UTF8.GetString(bytes) : throw new Xunit.Sdk.XunitException($"no header {name}");

    private static void AssertDerived(Headers headers, string id, string type, string causation, string correlation)
    {
        Assert.Equal("1.0", Header(headers, CloudEventHeaders.SpecVersion));
        Assert.Equal(id, Header(headers, CloudEventHeaders.Id));
        Assert.Equal(type, Header(headers, CloudEventHeaders.Type));
        Assert.Equal("/streams-topology", Header(headers, CloudEventHeaders.Source));
        Assert.Equal("application/avro", Header(headers, CloudEventHeaders.ContentType));
        Assert.Equal(causation, Header(headers, CloudEventHeaders.CausationId));
        Assert.Equal(correlation, Header(headers, CloudEventHeaders.CorrelationId));
        Assert.StartsWith("00-0af7651916cd43dd8448eb211c80319c-", Header(headers, "traceparent"), StringComparison.Ordinal);
        Assert.False(headers.TryGetLastBytes("event-id", out _), "the old event-id header is not carried over");
        Assert.Single(headers, h => h.Key == CloudEventHeaders.Id);
    }

    [Fact]
    public void Orders_and_cart_states_carry_their_own_id_and_type_caused_by_the_input()
    {
        using var driver = TestDriver.Create(b => CartTopology.Build(b, registry.Client));
        var input = driver.CreateInputTopic(TopicCatalog.CartEvents.Name, new StringSerDes(), new AvroSerDes<ISpecificRecord>(registry.Client, TopicCatalog.CartEvents.SubjectNaming));
        var orders = driver.CreateOutputTopic(TopicCatalog.Orders.Name, TimeSpan.FromSeconds(1), new StringSerDes(), new AvroSerDes<OrderPlaced>(registry.Client, TopicCatalog.Orders.SubjectNaming));
        var states = driver.CreateOutputTopic(TopicCatalog.CartState.Name, TimeSpan.FromSeconds(1), new StringSerDes(), new AvroSerDes<CartState>(registry.Client, TopicCatalog.CartState.SubjectNaming));

        var added = new ProductAddedToCart { eventId = "add-1", occurredAt = Start, cartId = "cart-h", customerId = "c-1", productId = "book", quantity = 1, unitPrice = Money.Of(9.99m), currency = "EUR" };
        var checkout = new CartCheckedOut { eventId = "checkout-h", occurredAt = Start.AddMinutes(1), cartId = "cart-h", customerId = "c-1" };
        input.PipeInput("cart-h", added, Published(added, "add-1"));
        input.PipeInput("cart-h", checkout, Published(checkout, "checkout-h", correlation: "session-7"));

        var stateRecords = states.ReadKeyValueList().ToList();
        Assert.Equal(2, stateRecords.Count);
        AssertDerived(stateRecords[0].Message.Headers, EventIds.Derived("add-1", CartState._SCHEMA.Fullname), CartState._SCHEMA.Fullname, "add-1", "add-1");
        AssertDerived(stateRecords[1].Message.Headers, EventIds.Derived("checkout-h", CartState._SCHEMA.Fullname), CartState._SCHEMA.Fullname, "checkout-h", "session-7");

        var order = Assert.Single(orders.ReadKeyValueList()).Message;
        Assert.Equal(EventIds.Derived("checkout-h", OrderPlaced._SCHEMA.Fullname), order.Value.eventId);
        AssertDerived(order.Headers, order.Value.eventId, OrderPlaced._SCHEMA.Fullname, "checkout-h", "session-7");
        Assert.Equal(EventMetadata.FormatTime(order.Value.occurredAt), Header(order.Headers, CloudEventHeaders.Time));
    }

    [Fact]
    public void A_security_alert_is_caused_by_the_failure_that_crossed_the_threshold()
    {
        using var driver = TestDriver.Create(b => LoginMonitoringTopology.Build(b, registry.Client, new LoginMonitoringOptions { FailureThreshold = 3 }));
        var input = driver.CreateInputTopic(TopicCatalog.Logins.Name, new StringSerDes(), new AvroSerDes<EmployeeLoggedIn>(registry.Client, TopicCatalog.Logins.SubjectNaming));
        var alerts = driver.CreateOutputTopic(TopicCatalog.SecurityAlerts.Name, TimeSpan.FromSeconds(1), new StringSerDes(), new AvroSerDes<SecurityAlert>(registry.Client, TopicCatalog.SecurityAlerts.SubjectNaming));

        for (var i = 1; i <= 3; i++)
        {
            var login = new EmployeeLoggedIn { eventId = $"login-{i}", occurredAt = Start.AddSeconds(i), employeeId = "e-h", application = "payroll", sourceAddress = "10.0.0.1", outcome = LoginOutcome.Failed, failureReason = "wrong password" };
            input.PipeInput("e-h", login, login.occurredAt, Published(login, login.eventId));
        }

        var alert = Assert.Single(alerts.ReadKeyValueList()).Message;
        Assert.Equal(EventIds.Derived("login-3", SecurityAlert._SCHEMA.Fullname), alert.Value.eventId);
        AssertDerived(alert.Headers, alert.Value.eventId, SecurityAlert._SCHEMA.Fullname, "login-3", "login-3");
    }

    [Fact]
    public void Processing_a_checkout_again_places_the_order_under_the_same_event_id()
    {
        OrderPlaced Run()
        {
            using var driver = TestDriver.Create(b => CartTopology.Build(b, registry.Client));
            var input = driver.CreateInputTopic(TopicCatalog.CartEvents.Name, new StringSerDes(), new AvroSerDes<ISpecificRecord>(registry.Client, TopicCatalog.CartEvents.SubjectNaming));
            var orders = driver.CreateOutputTopic(TopicCatalog.Orders.Name, TimeSpan.FromSeconds(1), new StringSerDes(), new AvroSerDes<OrderPlaced>(registry.Client, TopicCatalog.Orders.SubjectNaming));
            input.PipeInput("cart-r", new ProductAddedToCart { eventId = Guid.NewGuid().ToString(), occurredAt = Start, cartId = "cart-r", customerId = "c", productId = "pen", quantity = 2, unitPrice = Money.Of(1m), currency = "EUR" });
            input.PipeInput("cart-r", new CartCheckedOut { eventId = "checkout-r", occurredAt = Start, cartId = "cart-r", customerId = "c" });
            return Assert.Single(orders.ReadKeyValueList()).Message.Value;
        }

        Assert.Equal(Run().eventId, Run().eventId);
    }

    [Fact]
    public void Derived_ids_are_version_5_uuids_of_input_and_type()
    {
        var id = Guid.Parse(EventIds.Derived("checkout-1", "Streams.Contracts.Carts.OrderPlaced"));
        Assert.Equal(5, id.Version);
        Assert.Equal(EventIds.Derived("checkout-1", "Streams.Contracts.Carts.OrderPlaced"), id.ToString());
        Assert.NotEqual(id.ToString(), EventIds.Derived("checkout-1", "Streams.Contracts.Carts.CartState"));
        Assert.NotEqual(id.ToString(), EventIds.Derived("checkout-2", "Streams.Contracts.Carts.OrderPlaced"));
        // RFC 9562 appendix A.4's example: the DNS namespace and www.example.com.
        Assert.Equal(Guid.Parse("2ed6657d-e927-568b-95e1-2665a8aea6a2"), EventIds.NameBased(Guid.Parse("6ba7b810-9dad-11d1-80b4-00c04fd430c8"), "www.example.com"));
    }

    [Fact]
    public void Old_event_id_and_event_type_headers_still_read()
    {
        var headers = new Headers { { "event-id", Encoding.UTF8.GetBytes("old-1") }, { "event-type", Encoding.UTF8.GetBytes("Streams.Contracts.Logins.EmployeeLoggedIn") } };
        var metadata = EventMetadata.ReadFrom(headers)!;
        Assert.Equal(("old-1", "Streams.Contracts.Logins.EmployeeLoggedIn", "old-1", (string?)null), (metadata.Id, metadata.Type, metadata.CorrelationId, metadata.CausationId));
    }
}
