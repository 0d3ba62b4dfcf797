using Confluent.Kafka;
using Confluent.SchemaRegistry;
using Confluent.SchemaRegistry.Serdes;
using Streams.Registry.Tests.Support;

namespace Streams.Registry.Tests.JsonSchema;

/// <summary>Confluent.SchemaRegistry.Serdes.Json 2.16 against the embedded registry over HTTP.</summary>
public sealed class JsonSerdesTests(SharedRegistry shared) : IClassFixture<SharedRegistry>
{
    public sealed class Shipment
    {
        public string Id { get; set; } = "";

        public int Parcels { get; set; }

        public string? Carrier { get; set; }
    }

    private static readonly Shipment Sample = new() { Id = "s-1", Parcels = 3, Carrier = "dhl" };

    [Fact]
    public async Task Default_settings_register_a_json_schema_and_round_trip()
    {
        using var client = shared.Server.Client();
        var topic = TestSchemas.Subject("shipments");
        var bytes = await new JsonSerializer<Shipment>(client).SerializeAsync(Sample, new SerializationContext(MessageComponentType.Value, topic));

        var latest = await client.GetLatestSchemaAsync($"{topic}-value");
        Assert.Equal(SchemaType.Json, latest.SchemaType);
        Assert.Equal(latest.Id, System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(1, 4)));

        var back = await new JsonDeserializer<Shipment>(client).DeserializeAsync(bytes, false, new SerializationContext(MessageComponentType.Value, topic));
        Assert.Equal((Sample.Id, Sample.Parcels, Sample.Carrier), (back.Id, back.Parcels, back.Carrier));

        // A second serializer (another process) finds the same id rather than a new version.
        var again = await new JsonSerializer<Shipment>(shared.Server.Client()).SerializeAsync(Sample, new SerializationContext(MessageComponentType.Value, topic));
        Assert.Equal(bytes.AsSpan(0, 5).ToArray(), again.AsSpan(0, 5).ToArray());
        Assert.Equal([1], await client.GetSubjectVersionsAsync($"{topic}-value"));
    }

    [Fact]
    public async Task Without_auto_registration_the_serializer_looks_up_the_registered_schema()
    {
        using var client = shared.Server.Client();
        var topic = TestSchemas.Subject("lookup");
        var context = new SerializationContext(MessageComponentType.Value, topic);
        var config = new JsonSerializerConfig { AutoRegisterSchemas = false };

        await Assert.ThrowsAnyAsync<Exception>(() => new JsonSerializer<Shipment>(client, config).SerializeAsync(Sample, context));

        // Register what the serializer would (its generated schema), as a deployment pipeline does.
        var bytes = await new JsonSerializer<Shipment>(shared.Server.Client()).SerializeAsync(Sample, context);
        using var fresh = shared.Server.Client();
        var looked = await new JsonSerializer<Shipment>(fresh, config).SerializeAsync(Sample, context);
        Assert.Equal(bytes.AsSpan(0, 5).ToArray(), looked.AsSpan(0, 5).ToArray());
    }

    [Fact]
    public async Task Use_latest_version_serializes_with_the_subjects_latest_schema()
    {
        using var client = shared.Server.Client();
        var topic = TestSchemas.Subject("latest");
        var subject = $"{topic}-value";
        var permissive = """{"type":"object","properties":{"Id":{"type":"string"},"Parcels":{"type":"integer"},"Carrier":{"type":["null","string"]}}}""";
        var id = await client.RegisterSchemaAsync(subject, new Schema(permissive, SchemaType.Json));

        var config = new JsonSerializerConfig { AutoRegisterSchemas = false, UseLatestVersion = true };
        var bytes = await new JsonSerializer<Shipment>(client, config).SerializeAsync(Sample, new SerializationContext(MessageComponentType.Value, topic));
        Assert.Equal(id, System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(1, 4)));
        var back = await new JsonDeserializer<Shipment>(client).DeserializeAsync(bytes, false, new SerializationContext(MessageComponentType.Value, topic));
        Assert.Equal(Sample.Id, back.Id);
    }

    [Fact]
    public async Task A_record_name_strategy_registers_under_the_type_name()
    {
        using var client = shared.Server.Client();
        var topic = TestSchemas.Subject("strategy");
        var config = new JsonSerializerConfig { SubjectNameStrategy = SubjectNameStrategy.TopicRecord };
        await new JsonSerializer<Shipment>(client, config).SerializeAsync(Sample, new SerializationContext(MessageComponentType.Value, topic));

        var subjects = await client.GetAllSubjectsAsync();
        var subject = Assert.Single(subjects, s => s.StartsWith(topic + "-", StringComparison.Ordinal));
        Assert.Contains("Shipment", subject, StringComparison.Ordinal);
        Assert.Equal(SchemaType.Json, (await client.GetLatestSchemaAsync(subject)).SchemaType);
    }
}
