using System.Collections.Concurrent;
using Avro.Generic;
using Avro.IO;
using Avro.Specific;
using Confluent.Kafka;
using Confluent.SchemaRegistry;
using Streams.Contracts.Topics;

namespace Streams.Messaging.Serialization;

/// <summary>
/// Writes generated Avro records in Confluent's wire format, registering (or looking up) their schema under the
/// topic's subject. Unlike Confluent's <c>AvroSerializer&lt;T&gt;</c> it also serves topics that carry several record
/// types (<see cref="SubjectNaming.TopicRecord"/>), which is how every event of one cart stays in order.
/// </summary>
/// <typeparam name="T">A generated record type, or <see cref="ISpecificRecord"/> for a multi-type topic.</typeparam>
public sealed class AvroEventSerializer<T> : IAsyncSerializer<T>
    where T : ISpecificRecord
{
    private readonly ISchemaRegistryClient _registry;
    private readonly AsyncSubjectNameStrategyDelegate _subjectName;
    private readonly bool _autoRegister;
    private readonly ConcurrentDictionary<(string Subject, string FullName), Task<int>> _ids = new();
    private readonly ConcurrentDictionary<string, DatumWriter<T>> _writers = new();

    /// <param name="registry">The schema registry client.</param>
    /// <param name="naming">How subjects are named (take it from the topic catalog).</param>
    /// <param name="autoRegister">Register unknown schemas (subject to the registry's compatibility rules); when false, only look them up.</param>
    public AvroEventSerializer(ISchemaRegistryClient registry, SubjectNaming naming, bool autoRegister = true)
    {
        _registry = registry;
        _subjectName = naming.ToConfluent().ToAsyncDelegate(registry);
        _autoRegister = autoRegister;
    }

    public async Task<byte[]> SerializeAsync(T data, SerializationContext context)
    {
        ArgumentNullException.ThrowIfNull(data);
        var schema = data.Schema;
        var subject = await _subjectName(context, schema.Fullname).ConfigureAwait(false);
        var id = await _ids.GetOrAdd((subject, schema.Fullname), _ => SchemaIdAsync(subject, schema)).ConfigureAwait(false);
        var writer = _writers.GetOrAdd(schema.Fullname, _ => new SpecificDatumWriter<T>(schema));

        using var stream = new MemoryStream();
        ConfluentWireFormat.WriteHeader(stream, id);
        writer.Write(data, new BinaryEncoder(stream));
        return stream.ToArray();
    }

    private async Task<int> SchemaIdAsync(string subject, Avro.Schema schema)
    {
        var registered = new Schema(schema.ToString(), SchemaType.Avro);
        try
        {
            return _autoRegister
                ? await _registry.RegisterSchemaAsync(subject, registered).ConfigureAwait(false)
                : (await _registry.LookupSchemaAsync(subject, registered, ignoreDeletedSchemas: true).ConfigureAwait(false)).Id;
        }
        catch
        {
            // Do not cache a failure: the next message tries again (the registry may have been unreachable).
            _ids.TryRemove((subject, schema.Fullname), out _);
            throw;
        }
    }
}
