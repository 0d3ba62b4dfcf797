using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using Json.Schema;
using Streams.Operations.Records;

namespace Streams.Cli.Commands.Records;

/// <summary>Turns one JSON line into a value in Confluent's wire format for one registered schema.</summary>
internal abstract class ValueEncoder(int schemaId)
{
    /// <summary>The schema's name as records' event-type header and the output show it.</summary>
    public abstract string Name { get; }

    public int SchemaId => schemaId;

    /// <summary>Throws <see cref="JsonSchemaMismatchException"/> naming the field at fault.</summary>
    public abstract byte[] Encode(JsonElement json);

    protected byte[] Framed(ReadOnlySpan<byte> messageIndexes, ReadOnlySpan<byte> payload)
    {
        var bytes = new byte[5 + messageIndexes.Length + payload.Length];
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(1), schemaId);
        messageIndexes.CopyTo(bytes.AsSpan(5));
        payload.CopyTo(bytes.AsSpan(5 + messageIndexes.Length));
        return bytes;
    }
}

/// <summary>Avro: the JSON as a record of the schema.</summary>
internal sealed class AvroValueEncoder(Avro.Schema schema, int schemaId) : ValueEncoder(schemaId)
{
    private readonly RecordEncoder _encoder = new(schema, schemaId);

    public override string Name => schema.Fullname;

    public override byte[] Encode(JsonElement json) => _encoder.Encode(json);
}

/// <summary>JSON Schema: the JSON itself, after checking it against the schema (built with the schemas it references).</summary>
internal sealed class JsonSchemaValueEncoder((global::Json.Schema.JsonSchema Schema, string Text) schema, int schemaId) : ValueEncoder(schemaId)
{
    private readonly global::Json.Schema.JsonSchema _schema = schema.Schema;

    public override string Name { get; } = JsonDocument.Parse(schema.Text).RootElement is { ValueKind: JsonValueKind.Object } o && o.TryGetProperty("title", out var t) && t.ValueKind == JsonValueKind.String
        ? t.GetString()! : "JSON";

    public override byte[] Encode(JsonElement json)
    {
        var results = _schema.Evaluate(json, new EvaluationOptions { OutputFormat = OutputFormat.List });
        if (!results.IsValid)
        {
            var first = results.Details?.FirstOrDefault(d => d.Errors is { Count: > 0 });
            var pointer = first?.InstanceLocation.ToString() ?? "";
            var path = "$" + string.Concat(pointer.Split('/', StringSplitOptions.RemoveEmptyEntries).Select(s => int.TryParse(s, out _) ? $"[{s}]" : "." + s));
            throw new JsonSchemaMismatchException(path, first?.Errors?.Values.FirstOrDefault() ?? "does not match the schema");
        }

        return Framed([], Encoding.UTF8.GetBytes(json.GetRawText()));
    }
}

/// <summary>
/// Protobuf: the JSON as one message of the schema's file, framed with its message indexes (its position among the
/// file's messages, then among each enclosing message's nested ones) as Confluent's serializers write them: zigzag
/// varints, the count first, and [0] (the file's first message) as a single 0 byte.
/// </summary>
internal sealed class ProtobufValueEncoder(ProtobufWriter writer, string messageName, IReadOnlyList<int> indexes, int schemaId) : ValueEncoder(schemaId)
{
    private readonly byte[] _indexes = MessageIndexes(indexes);

    public override string Name => messageName.TrimStart('.');

    public override byte[] Encode(JsonElement json) => Framed(_indexes, writer.Write(messageName, json));

    private static byte[] MessageIndexes(IReadOnlyList<int> indexes)
    {
        if (indexes is [0])
        {
            return [0];
        }

        var bytes = new List<byte>();
        foreach (var value in indexes.Prepend(indexes.Count))
        {
            var zigzag = (uint)((value << 1) ^ (value >> 31));
            while (zigzag >= 0x80)
            {
                bytes.Add((byte)(zigzag | 0x80));
                zigzag >>= 7;
            }

            bytes.Add((byte)zigzag);
        }

        return [.. bytes];
    }
}
