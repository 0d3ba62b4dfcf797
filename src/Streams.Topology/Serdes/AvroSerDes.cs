using System.Buffers.Binary;
using System.Collections.Concurrent;
using Avro.IO;
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
/// Streamiz SerDes over the registry-backed Avro serializers (Confluent's serializer, our deserializer). Streamiz calls
/// SerDes synchronously from its stream threads. The first record of each type on each topic goes through Confluent's
/// serializer (which registers the schema and frames the value); after that the schema id is known and the record is
/// written here directly, in the same framing, without the async bridge: Confluent's serializer does not always
/// complete synchronously even with every id cached, and each time it does not, the stream thread blocks until a
/// thread-pool thread runs the continuation (profiled: most of the stream thread's wall time under load).
/// </summary>
public sealed class AvroSerDes<T> : AbstractSerDes<T>
    where T : ISpecificRecord
{
    private const int HeaderSize = 5;

    private readonly ISerializer<T> _serializer;
    private readonly IDeserializer<T> _deserializer;
    private readonly ConcurrentDictionary<(string? Topic, MessageComponentType Component, Type Type), CachedWriter> _writers = new();

    public AvroSerDes(ISchemaRegistryClient registry, SubjectNaming naming)
    {
        _serializer = new AvroSerializer<T>(registry, naming.ToSerializerConfig()).AsSyncOverAsync();
        _deserializer = new AvroEventDeserializer<T>(registry).AsSyncOverAsync();
    }

    public override byte[] Serialize(T data, SerializationContext context)
    {
        if (data is null)
        {
            return null!;
        }

        var key = (context.Topic, context.Component, data.GetType());
        if (_writers.TryGetValue(key, out var cached))
        {
            return cached.Write(data);
        }

        var framed = _serializer.Serialize(data, context);
        if (framed.Length >= HeaderSize && framed[0] == 0)
        {
            _writers.TryAdd(key, new CachedWriter(BinaryPrimitives.ReadInt32BigEndian(framed.AsSpan(1)), data.Schema));
        }

        return framed;
    }

    public override T Deserialize(byte[] data, SerializationContext context) =>
        _deserializer.Deserialize(data, data is null, context);

    /// <summary>Writes one record type in Confluent's framing under a schema id already registered.</summary>
    private sealed class CachedWriter(int schemaId, Avro.Schema schema)
    {
        private readonly SpecificDatumWriter<ISpecificRecord> _writer = new(schema);

        public byte[] Write(T data)
        {
            using var stream = new MemoryStream(256);
            stream.WriteByte(0);
            Span<byte> id = stackalloc byte[4];
            BinaryPrimitives.WriteInt32BigEndian(id, schemaId);
            stream.Write(id);
            _writer.Write(data, new BinaryEncoder(stream));
            return stream.ToArray();
        }
    }
}
