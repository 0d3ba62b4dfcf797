using System.Collections.Concurrent;
using Avro.Generic;
using Avro.IO;
using Avro.Specific;
using Confluent.Kafka;
using Confluent.SchemaRegistry;
using Streams.Contracts;

namespace Streams.Messaging.Serialization;

/// <summary>
/// Reads Confluent-framed Avro into the generated record types: the writer's schema comes from the registry by id,
/// the reader's is the generated type's (chosen by the writer's record name when <typeparamref name="T"/> is
/// <see cref="ISpecificRecord"/>), and Avro schema resolution bridges the two, so old and new writers both read.
/// </summary>
public sealed class AvroEventDeserializer<T> : IAsyncDeserializer<T>
    where T : ISpecificRecord
{
    private static readonly IReadOnlyDictionary<string, Type> ContractTypes =
        ContractsAssembly.RecordTypes.ToDictionary(t => t.FullName!, StringComparer.Ordinal);

    private readonly ISchemaRegistryClient _registry;
    private readonly ConcurrentDictionary<int, Task<DatumReader<ISpecificRecord>>> _readers = new();

    /// <summary>Creates the deserializer; writer schemas are fetched by id once and kept.</summary>
    public AvroEventDeserializer(ISchemaRegistryClient registry)
    {
        _registry = registry;
    }

    /// <summary>Reads one Confluent-framed value; throws <see cref="InvalidDataException"/> for an unframed one.</summary>
    public async Task<T> DeserializeAsync(ReadOnlyMemory<byte> data, bool isNull, SerializationContext context)
    {
        if (isNull)
        {
            return default!;
        }

        var id = ConfluentWireFormat.ReadSchemaId(data.Span);
        var reader = await _readers.GetOrAdd(id, ReaderAsync).ConfigureAwait(false);
        using var stream = new MemoryStream(data[ConfluentWireFormat.HeaderSize..].ToArray(), writable: false);
        var record = reader.Read(null!, new BinaryDecoder(stream));
        return record is T typed
            ? typed
            : throw new InvalidDataException($"Schema {id} ({record.Schema.Fullname}) on {context.Topic} is not a {typeof(T).Name}.");
    }

    private async Task<DatumReader<ISpecificRecord>> ReaderAsync(int id)
    {
        try
        {
            var registered = await _registry.GetSchemaAsync(id).ConfigureAwait(false);
            var writerSchema = Avro.Schema.Parse(registered.SchemaString);
            var readerType = typeof(T) != typeof(ISpecificRecord) ? typeof(T)
                : ContractTypes.GetValueOrDefault(writerSchema.Fullname)
                  ?? throw new InvalidDataException($"Schema {id} is {writerSchema.Fullname}, which is not one of the contracts.");
            var readerSchema = ((ISpecificRecord)Activator.CreateInstance(readerType)!).Schema;
            return new SpecificDatumReader<ISpecificRecord>(writerSchema, readerSchema);
        }
        catch
        {
            _readers.TryRemove(id, out _);
            throw;
        }
    }
}
