using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Google.Protobuf.Reflection;
using Kind = Google.Protobuf.Reflection.FieldDescriptorProto.Type;
using Label = Google.Protobuf.Reflection.FieldDescriptorProto.Label;

namespace Streams.Operations.Records;

/// <summary>
/// JSON to Protobuf bytes with a message descriptor, the reverse of <see cref="ProtobufJson"/>: fields by JSON name
/// or field name, integers as numbers or strings, enums by name or number, bytes as base64, maps as objects,
/// google.protobuf.Timestamp as RFC 3339 text. A value of the wrong kind or an unknown field throws
/// <see cref="JsonSchemaMismatchException"/> naming the field.
/// </summary>
internal sealed class ProtobufWriter(IReadOnlyDictionary<string, DescriptorProto> messages, IReadOnlyDictionary<string, EnumDescriptorProto> enums)
{
    public byte[] Write(string messageName, JsonElement json, string path = "$")
    {
        var output = new List<byte>();
        if (messageName == ".google.protobuf.Timestamp")
        {
            var time = json.ValueKind == JsonValueKind.String && DateTimeOffset.TryParse(json.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t)
                ? t : throw new JsonSchemaMismatchException(path, "expected an RFC 3339 time");
            var seconds = time.ToUnixTimeSeconds();
            Tag(output, 1, 0);
            Varint(output, (ulong)seconds);
            var nanos = (int)((time.UtcTicks - DateTimeOffset.FromUnixTimeSeconds(seconds).UtcTicks) * 100);
            if (nanos != 0)
            {
                Tag(output, 2, 0);
                Varint(output, (ulong)nanos);
            }

            return [.. output];
        }

        var message = messages[messageName];
        if (json.ValueKind != JsonValueKind.Object)
        {
            throw new JsonSchemaMismatchException(path, $"expected an object ({messageName.TrimStart('.')})");
        }

        foreach (var property in json.EnumerateObject())
        {
            var at = $"{path}.{property.Name}";
            var field = message.Fields.FirstOrDefault(f => f.JsonName == property.Name || f.Name == property.Name)
                ?? throw new JsonSchemaMismatchException(at, $"{messageName.TrimStart('.')} has no such field");
            if (property.Value.ValueKind == JsonValueKind.Null)
            {
                continue;
            }

            if (field.label != Label.LabelRepeated)
            {
                Field(output, field, property.Value, at);
            }
            else if (field.type == Kind.TypeMessage && messages.TryGetValue(field.TypeName, out var entry) && entry.Options?.MapEntry == true)
            {
                if (property.Value.ValueKind != JsonValueKind.Object)
                {
                    throw new JsonSchemaMismatchException(at, "expected an object (a map)");
                }

                foreach (var pair in property.Value.EnumerateObject())
                {
                    var bytes = new List<byte>();
                    using var key = JsonDocument.Parse(JsonSerializer.Serialize(pair.Name));
                    var keyField = entry.Fields.First(f => f.Number == 1);
                    Field(bytes, keyField, keyField.type == Kind.TypeString ? key.RootElement : NumberOrBool(pair.Name, at), at);
                    Field(bytes, entry.Fields.First(f => f.Number == 2), pair.Value, $"{at}.{pair.Name}");
                    Tag(output, field.Number, 2);
                    Varint(output, (ulong)bytes.Count);
                    output.AddRange(bytes);
                }
            }
            else
            {
                if (property.Value.ValueKind != JsonValueKind.Array)
                {
                    throw new JsonSchemaMismatchException(at, "expected an array (a repeated field)");
                }

                var i = 0;
                foreach (var item in property.Value.EnumerateArray())
                {
                    Field(output, field, item, $"{at}[{i++}]");
                }
            }
        }

        return [.. output];
    }

    private static JsonElement NumberOrBool(string text, string path)
    {
        try
        {
            using var document = JsonDocument.Parse(text);
            return document.RootElement.Clone();
        }
        catch (JsonException)
        {
            throw new JsonSchemaMismatchException(path, $"map key '{text}' is not a number or boolean");
        }
    }

    private void Field(List<byte> output, FieldDescriptorProto field, JsonElement value, string path)
    {
        switch (field.type)
        {
            case Kind.TypeString:
                Tag(output, field.Number, 2);
                LengthDelimited(output, Encoding.UTF8.GetBytes(value.ValueKind == JsonValueKind.String ? value.GetString()! : throw new JsonSchemaMismatchException(path, "expected a string")));
                break;
            case Kind.TypeBytes:
                byte[] bytes;
                try
                {
                    bytes = Convert.FromBase64String(value.ValueKind == JsonValueKind.String ? value.GetString()! : throw new JsonSchemaMismatchException(path, "expected base64 text"));
                }
                catch (FormatException)
                {
                    throw new JsonSchemaMismatchException(path, "expected base64 text");
                }

                Tag(output, field.Number, 2);
                LengthDelimited(output, bytes);
                break;
            case Kind.TypeMessage:
                Tag(output, field.Number, 2);
                LengthDelimited(output, Write(field.TypeName, value, path));
                break;
            case Kind.TypeBool:
                Tag(output, field.Number, 0);
                Varint(output, value.ValueKind switch { JsonValueKind.True => 1UL, JsonValueKind.False => 0UL, _ => throw new JsonSchemaMismatchException(path, "expected true or false") });
                break;
            case Kind.TypeEnum:
                var number = value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var n) ? n
                    : value.ValueKind == JsonValueKind.String && enums.TryGetValue(field.TypeName, out var e) && e.Values.FirstOrDefault(v => v.Name == value.GetString()) is { } named ? named.Number
                    : throw new JsonSchemaMismatchException(path, $"expected a value of {field.TypeName.TrimStart('.')}");
                Tag(output, field.Number, 0);
                Varint(output, (ulong)(long)number);
                break;
            case Kind.TypeDouble:
                Tag(output, field.Number, 1);
                var d = new byte[8];
                BinaryPrimitives.WriteDoubleLittleEndian(d, Number(value, path));
                output.AddRange(d);
                break;
            case Kind.TypeFloat:
                Tag(output, field.Number, 5);
                var f = new byte[4];
                BinaryPrimitives.WriteSingleLittleEndian(f, (float)Number(value, path));
                output.AddRange(f);
                break;
            case Kind.TypeFixed32 or Kind.TypeSfixed32:
                Tag(output, field.Number, 5);
                var f32 = new byte[4];
                BinaryPrimitives.WriteInt32LittleEndian(f32, (int)Integer(value, path));
                output.AddRange(f32);
                break;
            case Kind.TypeFixed64 or Kind.TypeSfixed64:
                Tag(output, field.Number, 1);
                var f64 = new byte[8];
                BinaryPrimitives.WriteInt64LittleEndian(f64, Integer(value, path));
                output.AddRange(f64);
                break;
            case Kind.TypeSint32 or Kind.TypeSint64:
                Tag(output, field.Number, 0);
                var s = Integer(value, path);
                Varint(output, (ulong)((s << 1) ^ (s >> 63)));
                break;
            case Kind.TypeInt32 or Kind.TypeInt64 or Kind.TypeUint32 or Kind.TypeUint64:
                Tag(output, field.Number, 0);
                Varint(output, (ulong)Integer(value, path));
                break;
            default:
                throw new JsonSchemaMismatchException(path, $"fields of type {field.type} are not supported");
        }
    }

    private static double Number(JsonElement value, string path) => value.ValueKind switch
    {
        JsonValueKind.Number => value.GetDouble(),
        JsonValueKind.String when double.TryParse(value.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var d) => d,
        _ => throw new JsonSchemaMismatchException(path, "expected a number"),
    };

    private static long Integer(JsonElement value, string path) => value.ValueKind switch
    {
        JsonValueKind.Number when value.TryGetInt64(out var l) => l,
        JsonValueKind.Number when value.TryGetUInt64(out var u) => (long)u,
        JsonValueKind.String when long.TryParse(value.GetString(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l) => l,
        JsonValueKind.String when ulong.TryParse(value.GetString(), NumberStyles.None, CultureInfo.InvariantCulture, out var u) => (long)u,
        _ => throw new JsonSchemaMismatchException(path, "expected an integer"),
    };

    private static void LengthDelimited(List<byte> output, byte[] bytes)
    {
        Varint(output, (ulong)bytes.Length);
        output.AddRange(bytes);
    }

    private static void Tag(List<byte> output, int number, int wireType) => Varint(output, (ulong)((number << 3) | wireType));

    private static void Varint(List<byte> output, ulong value)
    {
        while (value >= 0x80)
        {
            output.Add((byte)(value | 0x80));
            value >>= 7;
        }

        output.Add((byte)value);
    }
}
