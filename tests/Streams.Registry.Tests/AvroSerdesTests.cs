using Avro.Generic;
using Confluent.Kafka;
using Confluent.Kafka.SyncOverAsync;
using Confluent.SchemaRegistry;
using Confluent.SchemaRegistry.Serdes;
using Streams.Registry.Tests.Support;

namespace Streams.Registry.Tests;

/// <summary>
/// Confluent's Avro serializer and deserializer with default settings (so 2.16's associations lookup runs first),
/// producing to and consuming from the embedded broker through this registry.
/// </summary>
public sealed class AvroSerdesTests(SharedRegistry shared) : IClassFixture<SharedRegistry>
{
    private readonly RegistryServer _server = shared.Server;

    [Fact]
    public async Task Specific_record_round_trips_and_registers_under_the_topic_value_subject()
    {
        var topic = TestSchemas.Subject("payments");
        using var registry = _server.Client();
        await ProduceAsync(topic, new AvroSerializer<Payment>(registry), new Payment { Id = "p-1", Amount = 12.5 });

        var read = Consume(topic, new AvroDeserializer<Payment>(registry).AsSyncOverAsync());
        Assert.Equal(("p-1", 12.5), (read.Id, read.Amount));
        Assert.Equal([1], await registry.GetSubjectVersionsAsync($"{topic}-value"));
    }

    [Fact]
    public async Task Generic_record_round_trips()
    {
        var topic = TestSchemas.Subject("generic");
        using var registry = _server.Client();
        var record = new GenericRecord((Avro.RecordSchema)Avro.Schema.Parse(TestSchemas.User));
        record.Add("name", "ada");
        record.Add("age", 36);
        await ProduceAsync(topic, new AvroSerializer<GenericRecord>(registry), record);

        var read = Consume(topic, new AvroDeserializer<GenericRecord>(registry).AsSyncOverAsync());
        Assert.Equal(("ada", 36), ((string)read["name"], (int)read["age"]));
    }

    [Fact]
    public async Task Without_auto_registration_the_schema_must_already_be_registered()
    {
        var topic = TestSchemas.Subject("manual");
        using var registry = _server.Client();
        var config = new AvroSerializerConfig { AutoRegisterSchemas = false };
        var unregistered = await Assert.ThrowsAnyAsync<Exception>(() =>
            ProduceAsync(topic, new AvroSerializer<Payment>(registry, config), new Payment { Id = "x" }));
        Assert.Contains("40401", unregistered.ToString(), StringComparison.Ordinal);

        await registry.RegisterSchemaAsync($"{topic}-value", new Schema(Payment._SCHEMA.ToString(), SchemaType.Avro));
        using var fresh = _server.Client();
        await ProduceAsync(topic, new AvroSerializer<Payment>(fresh, config), new Payment { Id = "p-2", Amount = 1 });
        Assert.Equal("p-2", Consume(topic, new AvroDeserializer<Payment>(fresh).AsSyncOverAsync()).Id);
    }

    [Fact]
    public async Task Use_latest_version_writes_with_the_latest_registered_schema()
    {
        var topic = TestSchemas.Subject("latest");
        using var registry = _server.Client();
        var subject = $"{topic}-value";
        await registry.RegisterSchemaAsync(subject, new Schema(TestSchemas.User, SchemaType.Avro));
        var latestId = await registry.RegisterSchemaAsync(subject, new Schema(TestSchemas.UserWithEmail, SchemaType.Avro));

        var record = new GenericRecord((Avro.RecordSchema)Avro.Schema.Parse(TestSchemas.UserWithEmail));
        record.Add("name", "grace");
        record.Add("age", 45);
        record.Add("email", null);
        var config = new AvroSerializerConfig { AutoRegisterSchemas = false, UseLatestVersion = true };
        var bytes = await new AvroSerializer<GenericRecord>(registry, config).SerializeAsync(record, new SerializationContext(MessageComponentType.Value, topic));

        // Confluent framing: magic byte 0, then the schema id big-endian.
        Assert.Equal(latestId, System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(1)));
    }

    private async Task ProduceAsync<T>(string topic, IAsyncSerializer<T> serializer, T value)
    {
        using var producer = new ProducerBuilder<string, T>(new ProducerConfig { BootstrapServers = _server.Broker.BootstrapServers, MessageTimeoutMs = 30_000 })
            .SetValueSerializer(serializer)
            .Build();
        await producer.ProduceAsync(topic, new Message<string, T> { Key = "k", Value = value });
    }

    private T Consume<T>(string topic, IDeserializer<T> deserializer)
    {
        using var consumer = new ConsumerBuilder<string, T>(new ConsumerConfig
        {
            BootstrapServers = _server.Broker.BootstrapServers,
            GroupId = "unused-" + Guid.NewGuid().ToString("N"),
            EnableAutoCommit = false,
        }).SetValueDeserializer(deserializer).Build();
        consumer.Assign(new TopicPartitionOffset(topic, 0, Offset.Beginning));
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            if (consumer.Consume(TimeSpan.FromMilliseconds(200)) is { IsPartitionEOF: false } result)
            {
                return result.Message.Value;
            }
        }

        throw new TimeoutException($"nothing to read from {topic}");
    }
}
