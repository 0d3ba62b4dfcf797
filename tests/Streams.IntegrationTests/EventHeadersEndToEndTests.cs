using System.Text;
using Avro.Specific;
using Confluent.Kafka;
using Confluent.Kafka.SyncOverAsync;
using Streams.Contracts.Carts;
using Streams.Contracts.Logins;
using Streams.Contracts.Topics;
using Streams.Messaging.Consuming;
using Streams.Messaging.Events;
using Streams.Messaging.Serialization;
using static Streams.IntegrationTests.TestEvents;

namespace Streams.IntegrationTests;

/// <summary>
/// Every topic the worker writes, read back as any Kafka client would: the CloudEvents headers say what the record
/// is (type = the record's schema, id = its body's eventId), what caused it, and which chain it belongs to.
/// </summary>
[Collection(KafkaCollection.Name)]
public sealed class EventHeadersEndToEndTests(WorkerFixture worker) : IClassFixture<WorkerFixture>
{
    private static string? Header(Headers headers, string name) =>
        headers.TryGetLastBytes(name, out var bytes) ? Encoding.UTF8.GetString(bytes) : null;

    /// <summary>The records of <paramref name="topic"/> with key <paramref name="key"/>, decoded, once there are <paramref name="count"/>.</summary>
    private async Task<List<(ISpecificRecord Body, Headers Headers)>> ReadAsync(string topic, string key, int count)
    {
        var deserializer = new AvroEventDeserializer<ISpecificRecord>(worker.Registry).AsSyncOverAsync();
        using var consumer = new ConsumerBuilder<string, byte[]>(new ConsumerConfig { BootstrapServers = worker.BootstrapServers, GroupId = "headers-test-" + Guid.NewGuid(), AutoOffsetReset = AutoOffsetReset.Earliest, EnableAutoCommit = false }).Build();
        consumer.Subscribe(topic);
        var found = new List<(ISpecificRecord, Headers)>();
        await Eventually.TrueAsync(
            () =>
            {
                while (consumer.Consume(TimeSpan.FromMilliseconds(200)) is { } record)
                {
                    if (record.Message.Key == key)
                    {
                        found.Add((deserializer.Deserialize(record.Message.Value, false, new SerializationContext(MessageComponentType.Value, topic, record.Message.Headers)), record.Message.Headers));
                    }
                }

                return found.Count >= count;
            },
            () => $"{count} records of {key} in {topic}, found {found.Count}");
        consumer.Close();
        return found;
    }

    private static void AssertSaysWhatItIs(ISpecificRecord body, Headers headers, string source, string? causation, string correlation)
    {
        Assert.Equal("1.0", Header(headers, CloudEventHeaders.SpecVersion));
        Assert.Equal(body.Schema.Fullname, Header(headers, CloudEventHeaders.Type));
        if (((Avro.RecordSchema)body.Schema).TryGetField("eventId", out var idField))
        {
            Assert.Equal(body.Get(idField.Pos), Header(headers, CloudEventHeaders.Id));
        }
        else
        {
            Assert.Equal(EventIds.Derived(causation!, body.Schema.Fullname), Header(headers, CloudEventHeaders.Id));
        }

        Assert.Equal(source, Header(headers, CloudEventHeaders.Source));
        Assert.Equal("application/avro", Header(headers, CloudEventHeaders.ContentType));
        Assert.NotNull(Header(headers, CloudEventHeaders.Time));
        Assert.Equal(causation, Header(headers, CloudEventHeaders.CausationId));
        Assert.Equal(correlation, Header(headers, CloudEventHeaders.CorrelationId));
        Assert.Null(Header(headers, "event-id"));
    }

    [Fact]
    public async Task Published_events_orders_and_cart_states_say_what_they_are_and_what_caused_them()
    {
        var cart = NewCart();
        var added = Added(cart, "book", 1, 9.99m);
        var checkout = CheckedOut(cart);
        await worker.Publisher.PublishAsync(added);
        await worker.Publisher.PublishAsync(checkout);

        var events = await ReadAsync(TopicCatalog.CartEvents.Name, cart, 2);
        AssertSaysWhatItIs(events[0].Body, events[0].Headers, "/integration-tests", null, added.eventId);
        AssertSaysWhatItIs(events[1].Body, events[1].Headers, "/integration-tests", null, checkout.eventId);

        var order = Assert.Single(await ReadAsync(TopicCatalog.Orders.Name, cart, 1));
        Assert.IsType<OrderPlaced>(order.Body);
        AssertSaysWhatItIs(order.Body, order.Headers, "/" + worker.Options.ApplicationId, checkout.eventId, checkout.eventId);

        var states = await ReadAsync(TopicCatalog.CartState.Name, cart, 2);
        AssertSaysWhatItIs(states[0].Body, states[0].Headers, "/" + worker.Options.ApplicationId, added.eventId, added.eventId);
        AssertSaysWhatItIs(states[1].Body, states[1].Headers, "/" + worker.Options.ApplicationId, checkout.eventId, checkout.eventId);
    }

    [Fact]
    public async Task A_security_alert_says_what_it_is_and_names_the_failure_that_raised_it()
    {
        var employee = "emp-" + Guid.NewGuid().ToString("N")[..8];
        var logins = Enumerable.Range(0, worker.Options.LoginMonitoring.FailureThreshold).Select(i => new EmployeeLoggedIn
        {
            eventId = Guid.NewGuid().ToString(), occurredAt = DateTime.UtcNow, employeeId = employee, application = "payroll",
            sourceAddress = "10.0.0.9", outcome = LoginOutcome.Failed, failureReason = "wrong password",
        }).ToList();
        foreach (var login in logins)
        {
            await worker.Publisher.PublishAsync(login);
        }

        var alert = Assert.Single(await ReadAsync(TopicCatalog.SecurityAlerts.Name, employee, 1));
        Assert.IsType<SecurityAlert>(alert.Body);
        AssertSaysWhatItIs(alert.Body, alert.Headers, "/" + worker.Options.ApplicationId, logins[^1].eventId, logins[^1].eventId);
    }

    [Fact]
    public async Task A_dead_letter_keeps_the_original_events_id_and_type_and_adds_the_reason()
    {
        var cart = NewCart();
        var added = Added(cart, "pen", 1, 1m);
        var headers = new Headers();
        new EventMetadata(added.eventId, added.Schema.Fullname, "/test", added.occurredAt, null, added.eventId).WriteTo(headers);
        using (var writer = new DeadLetterWriter([new("bootstrap.servers", worker.BootstrapServers)], "dead-letters"))
        {
            await writer.WriteAsync(new DeadLetter(TopicCatalog.CartEvents.Name, 0, 42, Encoding.UTF8.GetBytes(cart), [1, 2, 3], headers, "handler-failed", new InvalidOperationException("boom"), "test-group"));
        }

        using var consumer = new ConsumerBuilder<string, byte[]>(new ConsumerConfig { BootstrapServers = worker.BootstrapServers, GroupId = "dlq-headers-" + Guid.NewGuid(), AutoOffsetReset = AutoOffsetReset.Earliest }).Build();
        consumer.Subscribe("dead-letters");
        var letter = await Eventually.GetAsync(() => consumer.Consume(TimeSpan.FromMilliseconds(200)) is { } r && r.Message.Key == cart ? r : null, "the dead letter");
        Assert.Equal(added.eventId, Header(letter.Message.Headers, CloudEventHeaders.Id));
        Assert.Equal(added.Schema.Fullname, Header(letter.Message.Headers, CloudEventHeaders.Type));
        Assert.Equal("handler-failed", Header(letter.Message.Headers, DeadLetterHeaders.Reason));
        Assert.Equal("test-group", Header(letter.Message.Headers, DeadLetterHeaders.GroupId));
        consumer.Close();
    }
}
