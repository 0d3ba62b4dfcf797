using System.Buffers.Binary;
using Avro.Specific;
using Confluent.Kafka;
using Confluent.SchemaRegistry;
using Confluent.SchemaRegistry.Serdes;
using Streams.Contracts;
using Streams.Contracts.Carts;
using Streams.Contracts.Topics;
using Streams.Messaging.Serialization;
using Streams.Tests.Shared;

namespace Streams.Messaging.Tests.Serialization;

/// <summary>
/// What the publisher relies on from Confluent's <c>AvroSerializer&lt;ISpecificRecord&gt;</c> (which replaced our own
/// serializer after it wrote the same bytes under the same subjects), checked on the embedded registry: several
/// record types on one topic with TopicRecordNameStrategy, and lookup-only mode without auto-registration.
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
    public async Task Several_record_types_on_one_topic_register_under_topic_record_subjects_and_read_back()
    {
        using var client = registry.Client();
        var topic = "cart-events-" + Guid.NewGuid().ToString("N");
        var serializer = new AvroSerializer<ISpecificRecord>(client, SubjectNaming.TopicRecord.ToSerializerConfig());
        var deserializer = new AvroEventDeserializer<ISpecificRecord>(client);
        var context = new SerializationContext(MessageComponentType.Value, topic);

        foreach (var @event in CartEvents("cart-1"))
        {
            var bytes = await serializer.SerializeAsync(@event, context);
            var subject = $"{topic}-{@event.Schema.Fullname}";
            var registered = await client.GetLatestSchemaAsync(subject);
            Assert.Equal(0, bytes[0]);
            Assert.Equal(registered.Id, BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(1)));
            var read = await deserializer.DeserializeAsync(bytes, false, context);
            Assert.Equal(@event.GetType(), read.GetType());
            Assert.Equal(@event.ToString(), read.ToString());
        }

        var subjects = (await client.GetAllSubjectsAsync()).Where(s => s.StartsWith(topic, StringComparison.Ordinal)).Order(StringComparer.Ordinal);
        Assert.Equal(
            [$"{topic}-{typeof(CartCheckedOut).FullName}", $"{topic}-{typeof(ProductAddedToCart).FullName}", $"{topic}-{typeof(ProductRemovedFromCart).FullName}"],
            subjects);
    }

    [Fact]
    public async Task Without_auto_registration_known_schemas_are_looked_up_unknown_ones_fail_and_the_failure_is_not_kept()
    {
        using var client = registry.Client();
        var topic = "cart-events-" + Guid.NewGuid().ToString("N");
        var events = CartEvents("cart-2");
        var context = new SerializationContext(MessageComponentType.Value, topic);
        var registering = new AvroSerializer<ISpecificRecord>(client, SubjectNaming.TopicRecord.ToSerializerConfig());
        var lookingUp = new AvroSerializer<ISpecificRecord>(client, SubjectNaming.TopicRecord.ToSerializerConfig(autoRegister: false));

        Assert.Equal(await registering.SerializeAsync(events[0], context), await lookingUp.SerializeAsync(events[0], context));
        await Assert.ThrowsAsync<SchemaRegistryException>(() => lookingUp.SerializeAsync(events[2], context));
        Assert.DoesNotContain($"{topic}-{events[2].Schema.Fullname}", await client.GetAllSubjectsAsync());

        // Once the schema is registered (by a deployment, or another producer), the same serializer finds it.
        Assert.Equal(await registering.SerializeAsync(events[2], context), await lookingUp.SerializeAsync(events[2], context));
    }

    [Fact]
    public async Task One_record_type_per_topic_registers_under_the_topic_value_subject()
    {
        using var client = registry.Client();
        var topic = "orders-" + Guid.NewGuid().ToString("N");
        var serializer = new AvroSerializer<CartCheckedOut>(client, SubjectNaming.Topic.ToSerializerConfig());

        await serializer.SerializeAsync((CartCheckedOut)CartEvents("cart-3")[2], new SerializationContext(MessageComponentType.Value, topic));

        Assert.Equal([1], await client.GetSubjectVersionsAsync($"{topic}-value"));
    }
}
