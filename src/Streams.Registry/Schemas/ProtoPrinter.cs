using System.Globalization;
using System.Text;
using Google.Protobuf.Reflection;

namespace Streams.Registry.Schemas;

/// <summary>
/// Writes a file descriptor back as <c>.proto</c> text: the stored form of a schema sent as a serialized descriptor
/// (what Confluent's serializers send) and of a normalized one. Type names are written fully qualified (<c>.pkg.Msg</c>)
/// so the text means the same wherever it is imported; imports are sorted. File and field options other than the
/// ones below are not written: they change generated code, not data.
/// </summary>
internal static class ProtoPrinter
{
    public static string Print(FileDescriptorProto file)
    {
        var text = new StringBuilder();
        text.Append("syntax = \"").Append(string.IsNullOrEmpty(file.Syntax) ? "proto2" : file.Syntax).Append("\";\n");
        if (!string.IsNullOrEmpty(file.Package))
        {
            text.Append("package ").Append(file.Package).Append(";\n");
        }

        foreach (var import in file.Dependencies.Order(StringComparer.Ordinal))
        {
            text.Append("import \"").Append(import).Append("\";\n");
        }

        if (file.Options is { } options)
        {
            Option(text, "", "java_package", options.JavaPackage);
            Option(text, "", "java_outer_classname", options.JavaOuterClassname);
            if (options.JavaMultipleFiles)
            {
                text.Append("option java_multiple_files = true;\n");
            }

            Option(text, "", "go_package", options.GoPackage);
            Option(text, "", "csharp_namespace", options.CsharpNamespace);
        }

        var proto2 = string.IsNullOrEmpty(file.Syntax) || file.Syntax == "proto2";
        foreach (var message in file.MessageTypes)
        {
            Message(text, message, "", proto2);
        }

        foreach (var e in file.EnumTypes)
        {
            Enum(text, e, "");
        }

        foreach (var service in file.Services)
        {
            text.Append("service ").Append(service.Name).Append(" {\n");
            foreach (var method in service.Methods)
            {
                text.Append("  rpc ").Append(method.Name).Append(" (").Append(method.ClientStreaming ? "stream " : "").Append(method.InputType)
                    .Append(") returns (").Append(method.ServerStreaming ? "stream " : "").Append(method.OutputType).Append(");\n");
            }

            text.Append("}\n");
        }

        return text.ToString();
    }

    private static void Option(StringBuilder text, string indent, string name, string? value)
    {
        if (!string.IsNullOrEmpty(value))
        {
            text.Append(indent).Append("option ").Append(name).Append(" = \"").Append(Escape(value)).Append("\";\n");
        }
    }

    private static void Message(StringBuilder text, DescriptorProto message, string indent, bool proto2)
    {
        var inner = indent + "  ";
        text.Append(indent).Append("message ").Append(message.Name).Append(" {\n");
        var maps = message.NestedTypes.Where(n => n.Options?.MapEntry == true).ToDictionary(n => n.Name, StringComparer.Ordinal);
        var oneofs = message.OneofDecls;
        for (var i = 0; i < message.Fields.Count; i++)
        {
            var field = message.Fields[i];
            if (field.ShouldSerializeOneofIndex() && !field.Proto3Optional)
            {
                // A oneof is written where its first field is, with all its fields.
                var index = field.OneofIndex;
                if (message.Fields.FindIndex(f => f.ShouldSerializeOneofIndex() && !f.Proto3Optional && f.OneofIndex == index) == i)
                {
                    text.Append(inner).Append("oneof ").Append(oneofs[index].Name).Append(" {\n");
                    foreach (var member in message.Fields.Where(f => f.ShouldSerializeOneofIndex() && !f.Proto3Optional && f.OneofIndex == index))
                    {
                        Field(text, member, inner + "  ", proto2, maps, inOneof: true);
                    }

                    text.Append(inner).Append("}\n");
                }

                continue;
            }

            Field(text, field, inner, proto2, maps, inOneof: false);
        }

        foreach (var nested in message.NestedTypes.Where(n => n.Options?.MapEntry != true))
        {
            Message(text, nested, inner, proto2);
        }

        foreach (var e in message.EnumTypes)
        {
            Enum(text, e, inner);
        }

        foreach (var range in message.ReservedRanges)
        {
            // Descriptor ranges are end-exclusive; .proto text is inclusive.
            text.Append(inner).Append("reserved ").Append(range.Start.ToString(CultureInfo.InvariantCulture));
            if (range.End - 1 != range.Start)
            {
                text.Append(" to ").Append(range.End - 1 >= 536870911 ? "max" : (range.End - 1).ToString(CultureInfo.InvariantCulture));
            }

            text.Append(";\n");
        }

        foreach (var name in message.ReservedNames)
        {
            text.Append(inner).Append("reserved \"").Append(Escape(name)).Append("\";\n");
        }

        text.Append(indent).Append("}\n");
    }

    private static void Field(StringBuilder text, FieldDescriptorProto field, string indent, bool proto2, Dictionary<string, DescriptorProto> maps, bool inOneof)
    {
        text.Append(indent);
        var typeName = field.TypeName ?? "";
        var entryName = typeName[(typeName.LastIndexOf('.') + 1)..];
        if (field.label == FieldDescriptorProto.Label.LabelRepeated && field.type == FieldDescriptorProto.Type.TypeMessage && maps.TryGetValue(entryName, out var entry)
            && typeName.EndsWith("." + entryName, StringComparison.Ordinal))
        {
            var key = entry.Fields.First(f => f.Number == 1);
            var value = entry.Fields.First(f => f.Number == 2);
            text.Append("map<").Append(TypeOf(key)).Append(", ").Append(TypeOf(value)).Append("> ");
        }
        else
        {
            if (!inOneof)
            {
                text.Append(field.label switch
                {
                    FieldDescriptorProto.Label.LabelRepeated => "repeated ",
                    FieldDescriptorProto.Label.LabelRequired => "required ",
                    _ when proto2 || field.Proto3Optional => "optional ",
                    _ => "",
                });
            }

            text.Append(TypeOf(field)).Append(' ');
        }

        text.Append(field.Name).Append(" = ").Append(field.Number.ToString(CultureInfo.InvariantCulture));
        var options = new List<string>();
        if (field.ShouldSerializeDefaultValue())
        {
            options.Add("default = " + (field.type is FieldDescriptorProto.Type.TypeString or FieldDescriptorProto.Type.TypeBytes ? $"\"{Escape(field.DefaultValue)}\"" : field.DefaultValue));
        }

        if (field.Options is { } fieldOptions)
        {
            if (fieldOptions.ShouldSerializePacked())
            {
                options.Add("packed = " + (fieldOptions.Packed ? "true" : "false"));
            }

            if (fieldOptions.Deprecated)
            {
                options.Add("deprecated = true");
            }
        }

        if (options.Count > 0)
        {
            text.Append(" [").Append(string.Join(", ", options)).Append(']');
        }

        text.Append(";\n");
    }

    private static void Enum(StringBuilder text, EnumDescriptorProto e, string indent)
    {
        text.Append(indent).Append("enum ").Append(e.Name).Append(" {\n");
        if (e.Options?.AllowAlias == true)
        {
            text.Append(indent).Append("  option allow_alias = true;\n");
        }

        foreach (var value in e.Values)
        {
            text.Append(indent).Append("  ").Append(value.Name).Append(" = ").Append(value.Number.ToString(CultureInfo.InvariantCulture)).Append(";\n");
        }

        text.Append(indent).Append("}\n");
    }

    private static string TypeOf(FieldDescriptorProto field) => field.type switch
    {
        FieldDescriptorProto.Type.TypeMessage or FieldDescriptorProto.Type.TypeEnum or FieldDescriptorProto.Type.TypeGroup => field.TypeName,
        _ => ScalarName(field.type),
    };

    /// <summary>The .proto keyword of a scalar type (<c>int32</c>, <c>string</c>, ...).</summary>
    public static string ScalarName(FieldDescriptorProto.Type type) => type switch
    {
        FieldDescriptorProto.Type.TypeDouble => "double",
        FieldDescriptorProto.Type.TypeFloat => "float",
        FieldDescriptorProto.Type.TypeInt64 => "int64",
        FieldDescriptorProto.Type.TypeUint64 => "uint64",
        FieldDescriptorProto.Type.TypeInt32 => "int32",
        FieldDescriptorProto.Type.TypeFixed64 => "fixed64",
        FieldDescriptorProto.Type.TypeFixed32 => "fixed32",
        FieldDescriptorProto.Type.TypeBool => "bool",
        FieldDescriptorProto.Type.TypeString => "string",
        FieldDescriptorProto.Type.TypeBytes => "bytes",
        FieldDescriptorProto.Type.TypeUint32 => "uint32",
        FieldDescriptorProto.Type.TypeSfixed32 => "sfixed32",
        FieldDescriptorProto.Type.TypeSfixed64 => "sfixed64",
        FieldDescriptorProto.Type.TypeSint32 => "sint32",
        FieldDescriptorProto.Type.TypeSint64 => "sint64",
        FieldDescriptorProto.Type.TypeEnum => "enum",
        FieldDescriptorProto.Type.TypeGroup => "group",
        _ => "message",
    };

    private static string Escape(string value) => value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal);
}
