using Avro.Specific;
using Confluent.Kafka;
using Confluent.Kafka.SyncOverAsync;
using Confluent.SchemaRegistry.Serdes;
using Streams.Contracts;
using Streams.Contracts.Carts;
using Streams.Contracts.Topics;
using Streams.Messaging.Serialization;
using Streams.Topology.Serdes;

namespace Streams.Topology.Tests;

/// <summary>The SerDes' own writer (used once a schema id is known) frames records exactly as Confluent's serializer does.</summary>
public sealed class AvroSerDesTests(RegistryFixture registry) : IClassFixture<RegistryFixture>
{
    private static readonly SerializationContext Value = new(MessageComponentType.Value, TopicCatalog.CartEvents.Name);

    [Fact]
    public void Records_after_the_first_are_byte_for_byte_what_Confluents_serializer_writes()
    {
        var serdes = new AvroSerDes<ISpecificRecord>(registry.Client, TopicCatalog.CartEvents.SubjectNaming);
        var confluent = new AvroSerializer<ISpecificRecord>(registry.Client, TopicCatalog.CartEvents.SubjectNaming.ToSerializerConfig()).AsSyncOverAsync();
        ISpecificRecord[] records =
        [
            Added("cart-1", "book", 1, 12.99m), Added("cart-1", "pen", 2, 1.10m),
            new CartCheckedOut { eventId = "checkout-cart-1", occurredAt = new DateTime(2026, 12, 7, 3, 0, 0, DateTimeKind.Utc), cartId = "cart-1", customerId = "c-1" },
            new CartCheckedOut { eventId = "checkout-cart-2", occurredAt = new DateTime(2026, 12, 7, 3, 1, 0, DateTimeKind.Utc), cartId = "cart-2", customerId = "c-2" },
        ];

        foreach (var record in records)
        {
            var written = serdes.Serialize(record, Value);
            Assert.Equal(confluent.Serialize(record, Value), written);
            var read = serdes.Deserialize(written, Value);
            Assert.Equal(record.GetType(), read.GetType());
        }
    }

    private static ProductAddedToCart Added(string cart, string product, int quantity, decimal price) => new()
    {
        eventId = Guid.NewGuid().ToString(), occurredAt = new DateTime(2026, 12, 7, 3, 0, 0, DateTimeKind.Utc), cartId = cart, customerId = "c-1",
        productId = product, quantity = quantity, unitPrice = Money.Of(price), currency = "EUR",
    };
}
