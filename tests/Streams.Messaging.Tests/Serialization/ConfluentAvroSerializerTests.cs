using Avro.Specific;
using Confluent.Kafka;
using Confluent.SchemaRegistry;
using Confluent.SchemaRegistry.Serdes;
using Streams.Contracts;
using Streams.Contracts.Carts;
using Streams.Contracts.Topics;
using Streams.Messaging.Serialization;
using Streams.Messaging.Tests.Support;

namespace Streams.Messaging.Tests.Serialization;

/// <summary>
/// Confluent's <c>AvroSerializer&lt;ISpecificRecord&gt;</c> against ours on the embedded registry: several record
/// types on one topic with TopicRecordNameStrategy, the publisher's case.
/// </summary>
public sealed class ConfluentAvroSerializerTests(EmbeddedRegistry registry) : IClassFixture<EmbeddedRegistry>
{
    private static readonly DateTime At = new(2026, 1, 31, 12, 0, 0, DateTimeKind.Utc);

    private static ISpecificRecord[] CartEvents(string cart) =>
    [
        new ProductAddedToCart { eventId = "e1", occurredAt = At, cartId = cart, customerId = "c", productId = "book", quantity = 1, unitPrice = Money.Of(12.99m), currency = "EUR" },
        new ProductRemovedFromCart { eventId = "e2", occurredAt = At, cartId = cart, customerId = "c", productId = "book", quantity = 1 },
        new CartCheckedOut { eventId = "e3", occurredAt = At, cartId = cart, customerId = "c" },
    ];

    [Fact]
    public async Task Several_record_types_on_one_topic_register_under_topic_record_subjects_and_match_ours_byte_for_byte()
    {
        using var client = registry.Client();
        var topic = "cart-events-" + Guid.NewGuid().ToString("N");
        var confluent = new AvroSerializer<ISpecificRecord>(client, new AvroSerializerConfig { SubjectNameStrategy = SubjectNameStrategy.TopicRecord, AutoRegisterSchemas = true });
        var ours = new AvroEventSerializer<ISpecificRecord>(client, SubjectNaming.TopicRecord);
        var deserializer = new AvroEventDeserializer<ISpecificRecord>(client);

        foreach (var @event in CartEvents("cart-1"))
        {
            var context = new SerializationContext(MessageComponentType.Value, topic);
            var theirs = await confluent.SerializeAsync(@event, context);
            Assert.Equal(await ours.SerializeAsync(@event, context), theirs);
            var read = await deserializer.DeserializeAsync(theirs, false, context);
            Assert.Equal(@event.GetType(), read.GetType());
        }

        var subjects = (await client.GetAllSubjectsAsync()).Where(s => s.StartsWith(topic, StringComparison.Ordinal)).Order(StringComparer.Ordinal);
        Assert.Equal(
            [$"{topic}-{typeof(CartCheckedOut).FullName}", $"{topic}-{typeof(ProductAddedToCart).FullName}", $"{topic}-{typeof(ProductRemovedFromCart).FullName}"],
            subjects);
    }

    [Fact]
    public async Task Without_auto_registration_known_schemas_are_looked_up_and_unknown_ones_fail()
    {
        using var client = registry.Client();
        var topic = "cart-events-" + Guid.NewGuid().ToString("N");
        var events = CartEvents("cart-2");
        var context = new SerializationContext(MessageComponentType.Value, topic);
        await new AvroEventSerializer<ISpecificRecord>(client, SubjectNaming.TopicRecord).SerializeAsync(events[0], context);

        var confluent = new AvroSerializer<ISpecificRecord>(client, new AvroSerializerConfig { SubjectNameStrategy = SubjectNameStrategy.TopicRecord, AutoRegisterSchemas = false });
        var ours = new AvroEventSerializer<ISpecificRecord>(client, SubjectNaming.TopicRecord, autoRegister: false);
        Assert.Equal(await ours.SerializeAsync(events[0], context), await confluent.SerializeAsync(events[0], context));
        await Assert.ThrowsAsync<SchemaRegistryException>(() => ours.SerializeAsync(events[2], context));
        await Assert.ThrowsAsync<SchemaRegistryException>(() => confluent.SerializeAsync(events[2], context));
    }
}
