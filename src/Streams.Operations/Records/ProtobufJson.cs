using System.Buffers.Binary;
using System.Globalization;
using System.Text.Json.Nodes;
using Google.Protobuf.Reflection;
using Kind = Google.Protobuf.Reflection.FieldDescriptorProto.Type;
using Label = Google.Protobuf.Reflection.FieldDescriptorProto.Label;

namespace Streams.Operations.Records;

/// <summary>
/// Protobuf bytes to JSON with a message descriptor (no generated code): fields by their JSON names, 64-bit integers
/// as strings and bytes as base64 (as Protobuf's JSON mapping writes them), enums by value name, maps as objects,
/// google.protobuf.Timestamp as RFC 3339 text. Fields the descriptor does not know are left out.
/// </summary>
internal sealed class ProtobufJson(IReadOnlyDictionary<string, DescriptorProto> messages, IReadOnlyDictionary<string, EnumDescriptorProto> enums)
{
    /// <summary>Every message and enum of <paramref name="files"/> by full name (<c>.pkg.Outer.Inner</c>).</summary>
    public static ProtobufJson For(IEnumerable<FileDescriptorProto> files)
    {
        var messages = new Dictionary<string, DescriptorProto>(StringComparer.Ordinal);
        var enums = new Dictionary<string, EnumDescriptorProto>(StringComparer.Ordinal);
        void Add(string scope, IEnumerable<DescriptorProto> types, IEnumerable<EnumDescriptorProto> enumTypes)
        {
            foreach (var e in enumTypes)
            {
                enums[$"{scope}.{e.Name}"] = e;
            }

            foreach (var message in types)
            {
                var name = $"{scope}.{message.Name}";
                messages[name] = message;
                Add(name, message.NestedTypes, message.EnumTypes);
            }
        }

        foreach (var file in files)
        {
            Add(string.IsNullOrEmpty(file.Package) ? "" : "." + file.Package, file.MessageTypes, file.EnumTypes);
        }

        return new ProtobufJson(messages, enums);
    }

    /// <summary>The writer for the same messages (JSON to bytes).</summary>
    public ProtobufWriter Writer() => new(messages, enums);

    public JsonNode Decode(string messageName, ReadOnlySpan<byte> data)
    {
        if (messageName == ".google.protobuf.Timestamp")
        {
            var seconds = 0L;
            var nanos = 0L;
            var reader = new WireReader(data);
            while (!reader.End)
            {
                var (number, wireType) = reader.Tag();
                var value = wireType == 0 ? (long)reader.Varint() : Skip(ref reader, wireType);
                (seconds, nanos) = number == 1 ? (value, nanos) : number == 2 ? (seconds, value) : (seconds, nanos);
            }

            return JsonValue.Create(DateTimeOffset.FromUnixTimeSeconds(seconds).AddTicks(nanos / 100).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", CultureInfo.InvariantCulture));
        }

        var message = messages.TryGetValue(messageName, out var known) ? known : throw new InvalidDataException($"the schema has no message {messageName}");
        var json = new JsonObject();
        var fields = message.Fields.ToDictionary(f => f.Number);
        var input = new WireReader(data);
        while (!input.End)
        {
            var (number, wireType) = input.Tag();
            if (!fields.TryGetValue(number, out var field))
            {
                Skip(ref input, wireType);
                continue;
            }

            var name = string.IsNullOrEmpty(field.JsonName) ? field.Name : field.JsonName;
            if (field.label != Label.LabelRepeated)
            {
                json[name] = Value(field, ref input, wireType);
                continue;
            }

            if (IsMapEntry(field, out var entry))
            {
                var pair = input.Bytes();
                var map = json[name] as JsonObject ?? (JsonObject)(json[name] = new JsonObject());
                var decoded = (JsonObject)Decode(field.TypeName, pair);
                var keyField = entry.Fields.First(f => f.Number == 1);
                var key = decoded[string.IsNullOrEmpty(keyField.JsonName) ? keyField.Name : keyField.JsonName]?.ToString() ?? "";
                var valueField = entry.Fields.First(f => f.Number == 2);
                map[key] = decoded[string.IsNullOrEmpty(valueField.JsonName) ? valueField.Name : valueField.JsonName]?.DeepClone();
                continue;
            }

            var list = json[name] as JsonArray ?? (JsonArray)(json[name] = new JsonArray());
            if (wireType == 2 && field.type is not (Kind.TypeString or Kind.TypeBytes or Kind.TypeMessage or Kind.TypeGroup))
            {
                // Packed: one length-delimited run of values of the field's own wire type.
                var packed = new WireReader(input.Bytes());
                while (!packed.End)
                {
                    list.Add(Value(field, ref packed, WireTypeOf(field.type)));
                }

                continue;
            }

            list.Add(Value(field, ref input, wireType));
        }

        return json;
    }

    private bool IsMapEntry(FieldDescriptorProto field, out DescriptorProto entry)
    {
        entry = null!;
        return field.type == Kind.TypeMessage && messages.TryGetValue(field.TypeName, out entry!) && entry.Options?.MapEntry == true;
    }

    private JsonNode? Value(FieldDescriptorProto field, ref WireReader input, int wireType)
    {
        if (wireType != WireTypeOf(field.type))
        {
            throw new InvalidDataException($"field {field.Name} ({field.Number}) arrived with wire type {wireType}, its type {field.type} is written with {WireTypeOf(field.type)}");
        }

        return field.type switch
        {
            Kind.TypeDouble => JsonValue.Create(BitConverter.Int64BitsToDouble((long)input.Fixed64())),
            Kind.TypeFloat => JsonValue.Create(BitConverter.Int32BitsToSingle((int)input.Fixed32())),
            Kind.TypeInt64 => JsonValue.Create(((long)input.Varint()).ToString(CultureInfo.InvariantCulture)),
            Kind.TypeUint64 => JsonValue.Create(input.Varint().ToString(CultureInfo.InvariantCulture)),
            Kind.TypeInt32 => JsonValue.Create((int)input.Varint()),
            Kind.TypeUint32 => JsonValue.Create((uint)input.Varint()),
            Kind.TypeBool => JsonValue.Create(input.Varint() != 0),
            Kind.TypeSint32 => JsonValue.Create((int)ZigZag(input.Varint())),
            Kind.TypeSint64 => JsonValue.Create(ZigZag(input.Varint()).ToString(CultureInfo.InvariantCulture)),
            Kind.TypeFixed32 => JsonValue.Create(input.Fixed32()),
            Kind.TypeSfixed32 => JsonValue.Create((int)input.Fixed32()),
            Kind.TypeFixed64 => JsonValue.Create(input.Fixed64().ToString(CultureInfo.InvariantCulture)),
            Kind.TypeSfixed64 => JsonValue.Create(((long)input.Fixed64()).ToString(CultureInfo.InvariantCulture)),
            Kind.TypeString => JsonValue.Create(System.Text.Encoding.UTF8.GetString(input.Bytes())),
            Kind.TypeBytes => JsonValue.Create(Convert.ToBase64String(input.Bytes())),
            Kind.TypeEnum => EnumValue(field.TypeName, (int)input.Varint()),
            _ => Decode(field.TypeName, input.Bytes()),
        };
    }

    private JsonValue EnumValue(string typeName, int number) =>
        enums.TryGetValue(typeName, out var e) && e.Values.FirstOrDefault(v => v.Number == number) is { } value
            ? JsonValue.Create(value.Name)
            : JsonValue.Create(number);

    private static long Skip(ref WireReader input, int wireType)
    {
        switch (wireType)
        {
            case 0: input.Varint(); break;
            case 1: input.Fixed64(); break;
            case 2: input.Bytes(); break;
            case 5: input.Fixed32(); break;
            default: throw new InvalidDataException($"wire type {wireType} is not supported (groups are not)");
        }

        return 0;
    }

    private static int WireTypeOf(Kind type) => type switch
    {
        Kind.TypeDouble or Kind.TypeFixed64 or Kind.TypeSfixed64 => 1,
        Kind.TypeFloat or Kind.TypeFixed32 or Kind.TypeSfixed32 => 5,
        Kind.TypeString or Kind.TypeBytes or Kind.TypeMessage => 2,
        Kind.TypeGroup => 3,
        _ => 0,
    };

    private static long ZigZag(ulong value) => (long)(value >> 1) ^ -(long)(value & 1);

    /// <summary>Reads the Protobuf wire format: varints, fixed-width little-endian values, length-delimited bytes.</summary>
    internal ref struct WireReader(ReadOnlySpan<byte> data)
    {
        private ReadOnlySpan<byte> _data = data;

        public readonly bool End => _data.IsEmpty;

        /// <summary>How many bytes are left.</summary>
        public readonly int Remaining => _data.Length;

        public (int Number, int WireType) Tag()
        {
            var tag = Varint();
            return ((int)(tag >> 3), (int)(tag & 7));
        }

        public ulong Varint()
        {
            ulong value = 0;
            for (var shift = 0; shift < 64; shift += 7)
            {
                if (_data.IsEmpty)
                {
                    throw new InvalidDataException("the data ends inside a varint");
                }

                var b = _data[0];
                _data = _data[1..];
                value |= (ulong)(b & 0x7f) << shift;
                if (b < 0x80)
                {
                    return value;
                }
            }

            throw new InvalidDataException("a varint is longer than 10 bytes");
        }

        /// <summary>A zigzag-encoded signed varint, as Confluent writes message indexes.</summary>
        public int SignedVarint() => (int)ZigZag(Varint());

        public uint Fixed32() => BinaryPrimitives.ReadUInt32LittleEndian(Take(4));

        public ulong Fixed64() => BinaryPrimitives.ReadUInt64LittleEndian(Take(8));

        public ReadOnlySpan<byte> Bytes() => Take(checked((int)Varint()));

        private ReadOnlySpan<byte> Take(int length)
        {
            if (length > _data.Length)
            {
                throw new InvalidDataException("the data ends inside a field");
            }

            var taken = _data[..length];
            _data = _data[length..];
            return taken;
        }
    }
}
