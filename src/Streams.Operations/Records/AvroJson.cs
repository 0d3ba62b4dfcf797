using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Avro;
using Avro.Generic;
using Streams.Messaging.Serialization;

namespace Streams.Operations.Records;

/// <summary>
/// Avro generic data to and from plain JSON, driven by the schema so it serves every record, generated contract or
/// not. The JSON is what a person would write (no Avro union wrappers; decimals as numbers, timestamps as ISO 8601
/// strings), and what <c>tail</c> prints <c>produce</c> accepts.
/// </summary>
public static class AvroJson
{
    // As deep as the writer goes (Utf8JsonWriter's default); parsing alone would stop at 64 levels of nested records.
    private static readonly JsonDocumentOptions Nesting = new() { MaxDepth = 1000 };

    /// <summary>A value decoded by <see cref="GenericDatumReader{T}"/> as JSON (<see cref="AvroJsonWriter"/>'s rendering).</summary>
    public static JsonNode? ToJson(object? value) => JsonNode.Parse(AvroJsonWriter.ToJsonString(value), documentOptions: Nesting);

    /// <summary>
    /// Converts JSON to the generic data <see cref="GenericDatumWriter{T}"/> writes with <paramref name="schema"/>.
    /// Throws <see cref="JsonSchemaMismatchException"/> naming the path of the first field that does not fit.
    /// </summary>
    /// <param name="json">The JSON value.</param>
    /// <param name="schema">The schema to write with.</param>
    /// <param name="path">Where <paramref name="json"/> sits in the document, for error messages.</param>
    public static object? FromJson(JsonElement json, Schema schema, string path = "$")
    {
        switch (schema)
        {
            case LogicalSchema logical:
                return FromLogical(json, logical, path);
            case RecordSchema record:
                return FromRecord(json, record, path);
            case EnumSchema symbols:
                var symbol = Expect(json, JsonValueKind.String, "an enum symbol", path).GetString()!;
                return symbols.Contains(symbol) ? new GenericEnum(symbols, symbol)
                    : throw Mismatch(path, $"'{symbol}' is not one of {string.Join(", ", symbols.Symbols)}");
            case ArraySchema array:
                return Expect(json, JsonValueKind.Array, "an array", path).EnumerateArray()
                    .Select((item, i) => FromJson(item, array.ItemSchema, $"{path}[{i}]")).ToArray();
            case MapSchema map:
                return Expect(json, JsonValueKind.Object, "an object (map)", path).EnumerateObject()
                    .ToDictionary(p => p.Name, p => FromJson(p.Value, map.ValueSchema, $"{path}.{p.Name}"));
            case UnionSchema union:
                return FromUnion(json, union, path);
            case FixedSchema fixedSchema:
                var fixedBytes = Base64(json, path);
                return fixedBytes.Length == fixedSchema.Size ? new GenericFixed(fixedSchema, fixedBytes)
                    : throw Mismatch(path, $"expected {fixedSchema.Size} bytes, got {fixedBytes.Length}");
            case PrimitiveSchema primitive:
                return FromPrimitive(json, primitive.Tag, path);
            default:
                throw Mismatch(path, $"schema type {schema.Tag} is not supported");
        }
    }

    private static GenericRecord FromRecord(JsonElement json, RecordSchema schema, string path)
    {
        Expect(json, JsonValueKind.Object, $"an object ({schema.Name})", path);
        foreach (var property in json.EnumerateObject())
        {
            if (!schema.Contains(property.Name))
            {
                throw Mismatch($"{path}.{property.Name}", $"{schema.Name} has no such field");
            }
        }

        var record = new GenericRecord(schema);
        foreach (var field in schema.Fields)
        {
            var fieldPath = $"{path}.{field.Name}";
            if (json.TryGetProperty(field.Name, out var value))
            {
                record.Add(field.Name, FromJson(value, field.Schema, fieldPath));
            }
            else if (field.DefaultValue is { } defaultValue)
            {
                // Avro defaults are JSON too; a union's default belongs to its first branch.
                using var parsed = JsonDocument.Parse(defaultValue.ToString(Newtonsoft.Json.Formatting.None));
                var defaultSchema = field.Schema is UnionSchema union ? union.Schemas[0] : field.Schema;
                record.Add(field.Name, FromJson(parsed.RootElement.Clone(), defaultSchema, fieldPath));
            }
            else
            {
                throw Mismatch(fieldPath, $"missing (required by {schema.Name}, no default)");
            }
        }

        return record;
    }

    private static object? FromUnion(JsonElement json, UnionSchema union, string path)
    {
        if (json.ValueKind == JsonValueKind.Null)
        {
            return union.Schemas.Any(s => s.Tag == Schema.Type.Null) ? null : throw Mismatch(path, "null is not allowed");
        }

        JsonSchemaMismatchException? first = null;
        foreach (var branch in union.Schemas.Where(s => s.Tag != Schema.Type.Null))
        {
            try
            {
                return FromJson(json, branch, path);
            }
            catch (JsonSchemaMismatchException e)
            {
                first ??= e;
            }
        }

        throw union.Count == 2 && first is not null ? first : Mismatch(path, $"matches none of {string.Join(", ", union.Schemas.Select(s => s.Fullname))}");
    }

    private static object? FromLogical(JsonElement json, LogicalSchema schema, string path)
    {
        switch (schema.LogicalTypeName)
        {
            case "decimal":
                var scale = Convert.ToInt32(schema.GetProperty("scale") ?? "0", CultureInfo.InvariantCulture);
                var number = json.ValueKind switch
                {
                    JsonValueKind.Number when json.TryGetDecimal(out var d) => d,
                    JsonValueKind.String when decimal.TryParse(json.GetString(), NumberStyles.Number, CultureInfo.InvariantCulture, out var d) => d,
                    _ => throw Mismatch(path, $"expected a decimal number, got {Describe(json)}"),
                };
                var rounded = decimal.Round(number, scale, MidpointRounding.ToEven);
                if (rounded != number)
                {
                    throw Mismatch(path, $"{number.ToString(CultureInfo.InvariantCulture)} has more than {scale} decimal places");
                }

                // Avro requires the value's scale to equal the schema's exactly (12.5 must be written as 12.50).
                return new AvroDecimal(rounded + new decimal(0, 0, 0, false, (byte)scale));
            case "timestamp-millis" or "timestamp-micros" or "local-timestamp-millis" or "local-timestamp-micros" or "date":
                return json.ValueKind switch
                {
                    JsonValueKind.Number when json.TryGetInt64(out var millis) && schema.LogicalTypeName != "date" => DateTimeOffset.FromUnixTimeMilliseconds(millis).UtcDateTime,
                    JsonValueKind.String when DateTimeOffset.TryParse(json.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var time) => time.UtcDateTime,
                    _ => throw Mismatch(path, $"expected an ISO 8601 time or epoch milliseconds, got {Describe(json)}"),
                };
            case "uuid":
                return Guid.TryParse(Expect(json, JsonValueKind.String, "a UUID", path).GetString(), out var id)
                    ? id
                    : throw Mismatch(path, $"expected a UUID, got {Describe(json)}");
            default:
                return FromJson(json, schema.BaseSchema, path);
        }
    }

    private static object? FromPrimitive(JsonElement json, Schema.Type type, string path) => type switch
    {
        Schema.Type.Null => json.ValueKind == JsonValueKind.Null ? null : throw Mismatch(path, $"expected null, got {Describe(json)}"),
        Schema.Type.Boolean => json.ValueKind is JsonValueKind.True or JsonValueKind.False ? json.GetBoolean() : throw Mismatch(path, $"expected a boolean, got {Describe(json)}"),
        Schema.Type.Int => json.ValueKind == JsonValueKind.Number && json.TryGetInt32(out var i) ? i : throw Mismatch(path, $"expected an int, got {Describe(json)}"),
        Schema.Type.Long => json.ValueKind == JsonValueKind.Number && json.TryGetInt64(out var l) ? l : throw Mismatch(path, $"expected a long, got {Describe(json)}"),
        Schema.Type.Float => json.ValueKind == JsonValueKind.Number ? json.GetSingle() : throw Mismatch(path, $"expected a float, got {Describe(json)}"),
        Schema.Type.Double => json.ValueKind == JsonValueKind.Number ? json.GetDouble() : throw Mismatch(path, $"expected a double, got {Describe(json)}"),
        Schema.Type.String => json.ValueKind == JsonValueKind.String ? json.GetString() : throw Mismatch(path, $"expected a string, got {Describe(json)}"),
        Schema.Type.Bytes => Base64(json, path),
        _ => throw Mismatch(path, $"schema type {type} is not supported"),
    };

    private static byte[] Base64(JsonElement json, string path)
    {
        try
        {
            return Convert.FromBase64String(Expect(json, JsonValueKind.String, "base64 bytes", path).GetString()!);
        }
        catch (FormatException)
        {
            throw Mismatch(path, "expected base64 bytes");
        }
    }

    private static JsonElement Expect(JsonElement json, JsonValueKind kind, string what, string path) =>
        json.ValueKind == kind ? json : throw Mismatch(path, $"expected {what}, got {Describe(json)}");

    private static string Describe(JsonElement json) => json.ValueKind switch
    {
        JsonValueKind.String => $"string \"{json.GetString()}\"",
        JsonValueKind.Number => $"number {json.GetRawText()}",
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.True or JsonValueKind.False => $"boolean {json.GetRawText()}",
        _ => "null",
    };

    private static JsonSchemaMismatchException Mismatch(string path, string message) => new(path, message);
}

/// <summary>JSON that does not fit a schema; <see cref="Path"/> is the field at fault (<c>$.lines[0].quantity</c>).</summary>
/// <param name="path">The field at fault.</param>
/// <param name="reason">What is wrong with it.</param>
public sealed class JsonSchemaMismatchException(string path, string reason) : Exception($"{path}: {reason}")
{
    /// <summary>The field at fault, as a JSON path.</summary>
    public string Path { get; } = path;
}
