using Avro;
using Avro.Generic;
using Streams.Contracts;
using Streams.Contracts.Carts;
using Streams.Messaging.Serialization;

namespace Streams.Messaging.Tests.Serialization;

/// <summary>Events as readable JSON: what the audit trail stores for every event and the CLI prints for a record.</summary>
public sealed class AvroJsonWriterTests
{
    [Fact]
    public void A_generated_contract_is_written_with_its_fields_decimals_as_numbers_and_times_in_utc()
    {
        var order = new OrderPlaced
        {
            eventId = "order-1-id",
            occurredAt = new DateTime(2026, 1, 31, 12, 0, 0, 250, DateTimeKind.Utc),
            orderId = "order-1",
            cartId = "cart-1",
            customerId = "customer-7",
            lines = [new CartLine { productId = "book", quantity = 2, unitPrice = Money.Of(12.5m), currency = "EUR" }],
            total = Money.Of(25m),
            currency = "EUR",
        };

        Assert.Equal(
            """{"eventId":"order-1-id","occurredAt":"2026-01-31T12:00:00.2500000Z","orderId":"order-1","cartId":"cart-1","customerId":"customer-7","lines":[{"productId":"book","quantity":2,"unitPrice":12.5,"currency":"EUR"}],"total":25,"currency":"EUR"}""",
            AvroJsonWriter.ToJsonString(order));
    }

    [Fact]
    public void Generic_data_keeps_unions_plain_enums_by_symbol_bytes_in_base64_and_non_finite_numbers_as_text()
    {
        var schema = (RecordSchema)Schema.Parse("""
            {"type":"record","name":"Probe","fields":[
              {"name":"note","type":["null","string"]},
              {"name":"level","type":{"type":"enum","name":"Level","symbols":["LOW","HIGH"]}},
              {"name":"raw","type":"bytes"},
              {"name":"ratio","type":"double"},
              {"name":"tags","type":{"type":"map","values":"long"}}]}
            """);
        var probe = new GenericRecord(schema);
        probe.Add("note", null);
        probe.Add("level", new GenericEnum((EnumSchema)schema["level"].Schema, "HIGH"));
        probe.Add("raw", new byte[] { 1, 2, 3 });
        probe.Add("ratio", double.NaN);
        probe.Add("tags", new Dictionary<string, object> { ["a"] = 1L });

        Assert.Equal("""{"note":null,"level":"HIGH","raw":"AQID","ratio":"NaN","tags":{"a":1}}""", AvroJsonWriter.ToJsonString(probe));
    }
}
