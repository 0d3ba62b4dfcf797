using Google.Protobuf.Reflection;
using Streams.Registry.Schemas;
using Kind = Google.Protobuf.Reflection.FieldDescriptorProto.Type;
using Label = Google.Protobuf.Reflection.FieldDescriptorProto.Label;

namespace Streams.Registry.Compatibility;

/// <summary>
/// Whether a reader Protobuf schema reads what a writer schema wrote, with the names of Confluent's Protobuf
/// differences. On the wire a field is its number and wire type, so what breaks is: the package changing, a message
/// of the writer missing from the reader, a field number changing to a type of another wire encoding (scalars change
/// within Confluent's groups: int32/int64/uint32/uint64/bool, sint32/sint64, fixed32/sfixed32, fixed64/sfixed64,
/// string/bytes), a named type changing, a required field added or removed, a oneof losing a field, and fields moving
/// into a oneof (several into a new one, or one into an existing one). Renaming, adding and removing optional fields,
/// adding messages and changing enums read fine.
/// </summary>
internal static class ProtobufCompatibility
{
    private static readonly Kind[][] CompatibleScalars =
    [
        [Kind.TypeInt32, Kind.TypeInt64, Kind.TypeUint32, Kind.TypeUint64, Kind.TypeBool],
        [Kind.TypeSint32, Kind.TypeSint64],
        [Kind.TypeFixed32, Kind.TypeSfixed32],
        [Kind.TypeFixed64, Kind.TypeSfixed64],
        [Kind.TypeString, Kind.TypeBytes],
    ];

    /// <summary>Reasons <paramref name="reader"/> cannot read some message <paramref name="writer"/> wrote; empty when none.</summary>
    public static List<Incompatibility> Check(ProtobufSchemaDocument reader, ProtobufSchemaDocument writer)
    {
        var problems = new List<Incompatibility>();
        if ((reader.File.Package ?? "") != (writer.File.Package ?? ""))
        {
            problems.Add(new("PACKAGE_CHANGED", "#/", $"the package changed from '{writer.File.Package}' to '{reader.File.Package}'"));
        }

        var readerMessages = reader.Messages();
        foreach (var (name, writerMessage) in writer.Messages())
        {
            if (writerMessage.Options?.MapEntry == true)
            {
                continue;
            }

            if (!readerMessages.TryGetValue(name, out var readerMessage))
            {
                problems.Add(new("MESSAGE_REMOVED", $"#/{name.TrimStart('.')}", $"the message {name.TrimStart('.')} was removed"));
                continue;
            }

            CompareMessage(name.TrimStart('.'), readerMessage, writerMessage, readerMessages, writer.Messages(), problems);
        }

        return problems;
    }

    private static void CompareMessage(string path, DescriptorProto reader, DescriptorProto writer,
        Dictionary<string, DescriptorProto> readerMessages, Dictionary<string, DescriptorProto> writerMessages, List<Incompatibility> problems)
    {
        var readerFields = reader.Fields.ToDictionary(f => f.Number);
        var writerFields = writer.Fields.ToDictionary(f => f.Number);
        foreach (var (number, written) in writerFields)
        {
            var where = $"#/{path}/{number}";
            if (!readerFields.TryGetValue(number, out var read))
            {
                if (written.label == Label.LabelRequired)
                {
                    problems.Add(new("REQUIRED_FIELD_REMOVED", where, $"the required field {written.Name} was removed"));
                }
                else if (InOneof(written))
                {
                    problems.Add(new("ONEOF_FIELD_REMOVED", where, $"the field {written.Name} was removed from the oneof {writer.OneofDecls[written.OneofIndex].Name}"));
                }

                continue;
            }

            CompareField(where, read, written, readerMessages, writerMessages, problems);
        }

        foreach (var (number, read) in readerFields)
        {
            if (!writerFields.ContainsKey(number) && read.label == Label.LabelRequired)
            {
                problems.Add(new("REQUIRED_FIELD_ADDED", $"#/{path}/{number}", $"the required field {read.Name} was added"));
            }
        }

        // Fields moving into a oneof: several into one that is new, or one into one that existed.
        foreach (var group in reader.Fields.Where(InOneof).GroupBy(f => f.OneofIndex))
        {
            var oneof = reader.OneofDecls[group.Key].Name;
            var moved = group.Where(f => writerFields.TryGetValue(f.Number, out var w) && !InOneof(w)).ToList();
            if (moved.Count == 0)
            {
                continue;
            }

            var existed = writer.OneofDecls.Any(o => o.Name == oneof);
            if (existed)
            {
                problems.Add(new("FIELD_MOVED_TO_EXISTING_ONEOF", $"#/{path}/{moved[0].Number}", $"the field {moved[0].Name} moved into the existing oneof {oneof}"));
            }
            else if (moved.Count > 1)
            {
                problems.Add(new("MULTIPLE_FIELDS_MOVED_TO_ONEOF", $"#/{path}/{oneof}", $"the fields {string.Join(", ", moved.Select(f => f.Name))} moved into the new oneof {oneof}"));
            }
        }
    }

    private static void CompareField(string where, FieldDescriptorProto read, FieldDescriptorProto written,
        Dictionary<string, DescriptorProto> readerMessages, Dictionary<string, DescriptorProto> writerMessages, List<Incompatibility> problems)
    {
        if ((read.label == Label.LabelRequired) != (written.label == Label.LabelRequired))
        {
            problems.Add(read.label == Label.LabelRequired
                ? new("REQUIRED_FIELD_ADDED", where, $"the field {read.Name} became required")
                : new("REQUIRED_FIELD_REMOVED", where, $"the field {read.Name} is no longer required"));
        }

        var readMap = IsMap(read, readerMessages);
        var writtenMap = IsMap(written, writerMessages);
        if (KindOf(read) != KindOf(written) || readMap != writtenMap)
        {
            problems.Add(new("FIELD_KIND_CHANGED", where, $"the field {read.Name} changed from {Describe(written, writtenMap)} to {Describe(read, readMap)}"));
            return;
        }

        if (KindOf(read) == "scalar")
        {
            if (read.type != written.type && !CompatibleScalars.Any(g => g.Contains(read.type) && g.Contains(written.type)))
            {
                problems.Add(new("FIELD_SCALAR_KIND_CHANGED", where, $"the field {read.Name} changed from {ProtoPrinter.ScalarName(written.type)} to {ProtoPrinter.ScalarName(read.type)}"));
            }
        }
        else if (!readMap && read.TypeName != written.TypeName)
        {
            problems.Add(new("FIELD_NAMED_TYPE_CHANGED", where, $"the field {read.Name} changed from {written.TypeName.TrimStart('.')} to {read.TypeName.TrimStart('.')}"));
        }
        else if (readMap)
        {
            // A map is a repeated entry message: its key and value compare as fields 1 and 2.
            var readEntry = readerMessages[read.TypeName];
            var writtenEntry = writerMessages[written.TypeName];
            foreach (var number in new[] { 1, 2 })
            {
                CompareField($"{where}/{number}", readEntry.Fields.First(f => f.Number == number), writtenEntry.Fields.First(f => f.Number == number), readerMessages, writerMessages, problems);
            }
        }
    }

    private static bool InOneof(FieldDescriptorProto field) => field.ShouldSerializeOneofIndex() && !field.Proto3Optional;

    private static string KindOf(FieldDescriptorProto field) => field.type switch
    {
        Kind.TypeMessage or Kind.TypeGroup => "message",
        Kind.TypeEnum => "enum",
        _ => "scalar",
    };

    private static bool IsMap(FieldDescriptorProto field, Dictionary<string, DescriptorProto> messages) =>
        field.type == Kind.TypeMessage && field.TypeName is { } name && messages.TryGetValue(name, out var entry) && entry.Options?.MapEntry == true;

    private static string Describe(FieldDescriptorProto field, bool map) => map ? "a map" : KindOf(field) switch
    {
        "message" => $"the message {field.TypeName.TrimStart('.')}",
        "enum" => $"the enum {field.TypeName.TrimStart('.')}",
        _ => ProtoPrinter.ScalarName(field.type),
    };
}
