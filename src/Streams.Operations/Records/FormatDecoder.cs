using System.Buffers.Binary;
using System.Text.Json.Nodes;
using Confluent.SchemaRegistry;
using Google.Protobuf.Reflection;

namespace Streams.Operations.Records;

/// <summary>
/// Decodes keys and values in any of the registry's formats: the schema id's type is looked up first; Avro goes to
/// <see cref="RecordDecoder"/>, JSON Schema data is the JSON after the 5-byte header, Protobuf data is the message
/// indexes (which message of the file) and then the message, read with the schema's descriptors.
/// </summary>
public sealed class FormatDecoder(ISchemaRegistryClient registry)
{
    private readonly RecordDecoder _avro = new(registry);
    private readonly Dictionary<int, Schema?> _schemas = [];
    private readonly Dictionary<int, (ProtobufJson Json, FileDescriptorProto File)> _protobuf = [];

    /// <summary>Decodes one key or value; schemas are fetched once per id and kept (not thread-safe).</summary>
    public async Task<DecodedData> DecodeAsync(byte[]? data)
    {
        if (data is not { Length: >= 5 } || data[0] != 0)
        {
            return await _avro.DecodeAsync(data).ConfigureAwait(false);
        }

        var id = BinaryPrimitives.ReadInt32BigEndian(data.AsSpan(1));
        var schema = await SchemaAsync(id).ConfigureAwait(false);
        switch (schema?.SchemaType)
        {
            case SchemaType.Json:
                try
                {
                    var json = JsonNode.Parse(data.AsMemory(5).Span);
                    var title = JsonNode.Parse(schema.SchemaString) is JsonObject o && o["title"] is JsonValue t && t.TryGetValue<string>(out var name) ? name : "JSON";
                    return new DecodedData(json, id, title);
                }
                catch (System.Text.Json.JsonException)
                {
                    break;
                }

            case SchemaType.Protobuf:
                var (decoder, file) = await ProtobufAsync(id, schema).ConfigureAwait(false);
                var reader = new ProtobufJson.WireReader(data.AsSpan(5));
                var messageName = MessageName(file, ref reader);
                var rest = data.AsSpan(data.Length - reader.Remaining);
                return new DecodedData(decoder.Decode(messageName, rest), id, messageName.TrimStart('.'));
        }

        return await _avro.DecodeAsync(data).ConfigureAwait(false);
    }

    /// <summary>Confluent's message indexes: a count, then the index at each nesting level; a lone 0 is the first message.</summary>
    private static string MessageName(FileDescriptorProto file, ref ProtobufJson.WireReader reader)
    {
        var count = reader.SignedVarint();
        int[] indexes = count == 0 ? [0] : new int[count];
        for (var i = 0; i < count; i++)
        {
            indexes[i] = reader.SignedVarint();
        }

        var name = string.IsNullOrEmpty(file.Package) ? "" : "." + file.Package;
        IList<DescriptorProto> level = file.MessageTypes;
        foreach (var index in indexes)
        {
            if (index < 0 || index >= level.Count)
            {
                throw new InvalidDataException($"message index {index} is not in the schema");
            }

            name += "." + level[index].Name;
            level = level[index].NestedTypes;
        }

        return name;
    }

    private async Task<Schema?> SchemaAsync(int id)
    {
        if (!_schemas.TryGetValue(id, out var schema))
        {
            try
            {
                schema = await registry.GetSchemaAsync(id).ConfigureAwait(false);
            }
            catch (SchemaRegistryException e) when (e.ErrorCode / 100 == 404)
            {
                schema = null;
            }

            _schemas[id] = schema;
        }

        return schema;
    }

    private async Task<(ProtobufJson Json, FileDescriptorProto File)> ProtobufAsync(int id, Schema schema)
    {
        if (!_protobuf.TryGetValue(id, out var known))
        {
            var (files, file) = await ProtobufSchemaFiles.LoadAsync(registry, id, schema).ConfigureAwait(false);
            known = (ProtobufJson.For(files), file);
            _protobuf[id] = known;
        }

        return known;
    }
}
