using System.Buffers.Binary;
using Avro.Generic;
using Avro.IO;
using Confluent.Kafka;
using Confluent.SchemaRegistry;
using Newtonsoft.Json.Linq;
using Streams.Contracts.Logins;
using Streams.Messaging.Serialization;

namespace Streams.Topology.Tests;

/// <summary>How a contract may change: through the real registry and the application's own serializers.</summary>
public sealed class SchemaEvolutionTests(RegistryFixture registry) : IClassFixture<RegistryFixture>
{
    private static string WithField(string schema, JObject field)
    {
        var json = JObject.Parse(schema);
        ((JArray)json["fields"]!).Add(field);
        return json.ToString();
    }

    [Fact]
    public async Task A_new_optional_field_is_accepted_and_readers_of_the_old_contract_keep_reading()
    {
        const string topic = "evolution-logins";
        var v1 = new EmployeeLoggedIn().Schema.ToString();
        var v2 = WithField(v1, new JObject { ["name"] = "deviceId", ["type"] = new JArray("null", "string"), ["default"] = null });
        await registry.Client.RegisterSchemaAsync($"{topic}-value", new Schema(v1, SchemaType.Avro));

        var v2Id = await registry.Client.RegisterSchemaAsync($"{topic}-value", new Schema(v2, SchemaType.Avro));

        // A newer producer writes with v2; the application, compiled against v1, reads it.
        var writerSchema = (Avro.RecordSchema)Avro.Schema.Parse(v2);
        var record = new GenericRecord(writerSchema);
        record.Add("eventId", "e-1");
        record.Add("occurredAt", new DateTime(2026, 11, 27, 12, 0, 0, DateTimeKind.Utc));
        record.Add("employeeId", "employee-7");
        record.Add("application", "crm");
        record.Add("sourceAddress", "10.0.0.9");
        record.Add("outcome", new GenericEnum((Avro.EnumSchema)writerSchema["outcome"].Schema, "Failed"));
        record.Add("failureReason", "wrong password");
        record.Add("deviceId", "laptop-42");
        using var stream = new MemoryStream();
        var header = new byte[5];
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(1), v2Id);
        stream.Write(header);
        new GenericDatumWriter<GenericRecord>(writerSchema).Write(record, new BinaryEncoder(stream));

        var read = await new AvroEventDeserializer<EmployeeLoggedIn>(registry.Client)
            .DeserializeAsync(stream.ToArray(), isNull: false, new SerializationContext(MessageComponentType.Value, topic));

        Assert.Equal(("employee-7", LoginOutcome.Failed, "wrong password"), (read.employeeId, read.outcome, read.failureReason));
    }

    [Fact]
    public async Task A_new_required_field_is_refused_with_the_registry_reason()
    {
        const string topic = "evolution-breaking";
        var v1 = new EmployeeLoggedIn().Schema.ToString();
        await registry.Client.RegisterSchemaAsync($"{topic}-value", new Schema(v1, SchemaType.Avro));
        var breaking = WithField(v1, new JObject { ["name"] = "mfaMethod", ["type"] = "string" });

        var ex = await Assert.ThrowsAsync<SchemaRegistryException>(() => registry.Client.RegisterSchemaAsync($"{topic}-value", new Schema(breaking, SchemaType.Avro)));

        Assert.Equal(409, (int)ex.Status);
        Assert.Contains("mfaMethod", ex.Message, StringComparison.Ordinal);
    }
}
