using Avro.Specific;
using Confluent.Kafka;
using Confluent.Kafka.SyncOverAsync;
using Confluent.SchemaRegistry;
using Confluent.SchemaRegistry.Serdes;
using Streamiz.Kafka.Net.SerDes;
using Streams.Contracts.Topics;
using Streams.Messaging.Serialization;

namespace Streams.Topology.Serdes;

/// <summary>
/// Streamiz SerDes over the registry-backed Avro serializers (Confluent's serializer, our deserializer). Streamiz calls SerDes synchronously from its stream
/// threads, so this is the one place where the async serializers are bridged to sync (schema ids are cached after
/// the first record of each type, so the bridge blocks only then).
/// </summary>
public sealed class AvroSerDes<T> : AbstractSerDes<T>
    where T : ISpecificRecord
{
    private readonly ISerializer<T> _serializer;
    private readonly IDeserializer<T> _deserializer;

    public AvroSerDes(ISchemaRegistryClient registry, SubjectNaming naming)
    {
        _serializer = new AvroSerializer<T>(registry, naming.ToSerializerConfig()).AsSyncOverAsync();
        _deserializer = new AvroEventDeserializer<T>(registry).AsSyncOverAsync();
    }

    public override byte[] Serialize(T data, SerializationContext context) =>
        data is null ? null! : _serializer.Serialize(data, context);

    public override T Deserialize(byte[] data, SerializationContext context) =>
        _deserializer.Deserialize(data, data is null, context);
}
