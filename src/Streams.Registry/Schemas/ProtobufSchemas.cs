using System.Buffers.Text;
using Google.Protobuf.Reflection;

namespace Streams.Registry.Schemas;

/// <summary>
/// Protobuf subjects: <c>.proto</c> text (proto2 or proto3) parsed into descriptors with protobuf-net.Reflection,
/// or a base64 serialized <c>FileDescriptorProto</c> (what Confluent's serializers send), which is stored written
/// back as text. Imports are Confluent references named by import path; <c>google/protobuf/*.proto</c> resolve
/// without one. Stored as given; with <c>normalize</c>, written back from the descriptor (fully qualified type
/// names, sorted imports, no comments).
/// </summary>
internal static class ProtobufSchemas
{
    public const string Type = "PROTOBUF";

    // The name the schema itself is parsed under; an import of this name would be the schema importing itself.
    private const string OwnName = "__schema__.proto";

    /// <summary>Parses a schema and the schemas it imports; throws <see cref="InvalidSchemaException"/> with the reason.</summary>
    public static ProtobufSchemaDocument Parse(string text, IReadOnlyList<(string Name, string Text)> references)
    {
        text = AsText(text);
        // Referenced files are added by their import path up front; anything else imported is looked up in a file
        // system that holds nothing (the parser's own google/protobuf/*.proto aside), never on this machine's disk.
        var set = new FileDescriptorSet { FileSystem = new NoFiles() };
        foreach (var (name, referencedText) in references.DistinctBy(r => r.Name))
        {
            set.Add(name, false, new StringReader(AsText(referencedText)));
        }

        set.Add(OwnName, true, new StringReader(text));
        set.Process();
        var errors = set.GetErrors().Where(e => e.IsError).ToList();
        if (errors.Count > 0)
        {
            var first = errors[0];
            var where = first.File == OwnName || string.IsNullOrEmpty(first.File) ? "" : $" in '{first.File}'";
            throw new InvalidSchemaException($"Invalid schema: line {first.LineNumber}{where}: {first.Message}");
        }

        var file = set.Files.First(f => f.Name == OwnName);
        return new ProtobufSchemaDocument(file, [.. set.Files.Where(f => f.Name != OwnName)]);
    }

    /// <summary>The stored form: the text as given (a serialized descriptor written as text); with <paramref name="normalize"/>, written back from the descriptor.</summary>
    public static string Canonical(string text, ProtobufSchemaDocument document, bool normalize) =>
        normalize || IsSerialized(text) ? ProtoPrinter.Print(document.File) : text;

    /// <summary>The schema as a base64 serialized <c>FileDescriptorProto</c> (Confluent's <c>format=serialized</c>).</summary>
    public static string Serialized(ProtobufSchemaDocument document)
    {
        // Named as Confluent's clients expect a file they resolve by reference name; the parse-time name is ours.
        var copy = ProtoBuf.Serializer.DeepClone(document.File);
        copy.Name = "schema.proto";
        using var stream = new MemoryStream();
        ProtoBuf.Serializer.Serialize(stream, copy);
        return Convert.ToBase64String(stream.GetBuffer(), 0, (int)stream.Length);
    }

    /// <summary>Text as given, or a base64 serialized descriptor written as text.</summary>
    private static string AsText(string schema)
    {
        if (!IsSerialized(schema))
        {
            return schema;
        }

        try
        {
            using var stream = new MemoryStream(Convert.FromBase64String(schema.Trim()));
            return ProtoPrinter.Print(ProtoBuf.Serializer.Deserialize<FileDescriptorProto>(stream));
        }
        catch (Exception ex) when (ex is FormatException or ProtoBuf.ProtoException or EndOfStreamException or InvalidOperationException)
        {
            throw new InvalidSchemaException($"Invalid schema: not .proto text, nor a serialized file descriptor: {ex.Message}");
        }
    }

    // .proto text always holds a ';' or '{' or whitespace between tokens; base64 holds none of them.
    private static bool IsSerialized(string schema) => schema.Trim() is { Length: > 0 } trimmed && Base64.IsValid(trimmed);

    /// <summary>No files: an import that is neither a reference nor well known is an error, not a disk read.</summary>
    private sealed class NoFiles : IFileSystem
    {
        public bool Exists(string path) => false;

        public TextReader? OpenText(string path) => null;
    }
}
