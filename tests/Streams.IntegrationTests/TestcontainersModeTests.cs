using Avro;
using Avro.Generic;
using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Confluent.SchemaRegistry;
using Confluent.Kafka.SyncOverAsync;
using Confluent.SchemaRegistry.Serdes;

namespace Streams.IntegrationTests;

/// <summary>
/// The Testcontainers mode itself: Apache Kafka and Confluent Schema Registry containers answer a real client round
/// trip (topic, Avro produce through the registry, consume). Without Docker this is reported as skipped, with the
/// reason, never as passed.
/// </summary>
[Collection(KafkaCollection.Name)]
public sealed class TestcontainersModeTests(KafkaFixture kafka)
{
    [SkippableFact]
    public async Task Kafka_and_schema_registry_containers_carry_an_avro_record_end_to_end()
    {
        var unavailable = KafkaContainers.DockerUnavailableReason();
        Skip.If(unavailable is not null, $"{unavailable}; the integration tests ran in {kafka.Mode} mode instead");

        // Reuse the run's containers when the suite is on them; otherwise (external cluster chosen) start our own.
        await using var own = kafka.Containers is null ? await KafkaContainers.StartAsync() : null;
        var containers = kafka.Containers ?? own!;

        var topic = "testcontainers-smoke-" + Guid.NewGuid().ToString("N");
        using (var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = containers.BootstrapServers }).Build())
        {
            await admin.CreateTopicsAsync([new TopicSpecification { Name = topic, NumPartitions = 1, ReplicationFactor = 1 }]);
        }

        var schema = (RecordSchema)Avro.Schema.Parse("""{"type":"record","name":"Ping","namespace":"streams.smoke","fields":[{"name":"text","type":"string"}]}""");
        var ping = new GenericRecord(schema);
        ping.Add("text", "hello from Testcontainers");
        using var registry = new CachedSchemaRegistryClient(new SchemaRegistryConfig { Url = containers.SchemaRegistryUrl });
        using (var producer = new ProducerBuilder<string, GenericRecord>(new ProducerConfig { BootstrapServers = containers.BootstrapServers })
            .SetValueSerializer(new AvroSerializer<GenericRecord>(registry))
            .Build())
        {
            await producer.ProduceAsync(topic, new Message<string, GenericRecord> { Key = "k", Value = ping });
        }

        Assert.Contains($"{topic}-value", await registry.GetAllSubjectsAsync());
        using var consumer = new ConsumerBuilder<string, GenericRecord>(new ConsumerConfig { BootstrapServers = containers.BootstrapServers, GroupId = topic, AutoOffsetReset = AutoOffsetReset.Earliest })
            .SetValueDeserializer(new AvroDeserializer<GenericRecord>(registry).AsSyncOverAsync())
            .Build();
        consumer.Subscribe(topic);
        var received = await Eventually.GetAsync(() => consumer.Consume(TimeSpan.FromMilliseconds(500)), "the record back from the Kafka container");
        Assert.Equal("hello from Testcontainers", received.Message.Value["text"]);
    }

    [Fact]
    public void The_suite_reports_the_mode_it_runs_in_and_why()
    {
        Assert.False(string.IsNullOrEmpty(kafka.BootstrapServers));
        Assert.False(string.IsNullOrEmpty(kafka.SchemaRegistryUrl));
        var unavailable = KafkaContainers.DockerUnavailableReason();
        var expected = Environment.GetEnvironmentVariable(KafkaFixture.ModeVariable) is { Length: > 0 } ? kafka.Mode
            : Environment.GetEnvironmentVariable(KafkaFixture.BootstrapVariable) is { Length: > 0 } ? KafkaMode.External
            : unavailable is null ? KafkaMode.Testcontainers : KafkaMode.Embedded;
        Assert.Equal(expected, kafka.Mode);
        Assert.False(string.IsNullOrEmpty(kafka.Reason));
    }
}
