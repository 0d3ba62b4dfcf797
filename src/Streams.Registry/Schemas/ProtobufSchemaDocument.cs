using Google.Protobuf.Reflection;

namespace Streams.Registry.Schemas;

/// <summary>
/// A parsed <c>.proto</c> schema: its file descriptor and those of the files it imports (Confluent references, named
/// by import path, and the well-known <c>google/protobuf/*.proto</c> files, which need no reference).
/// </summary>
internal sealed class ProtobufSchemaDocument(FileDescriptorProto file, IReadOnlyList<FileDescriptorProto> imports)
{
    /// <summary>The schema's own file.</summary>
    public FileDescriptorProto File { get; } = file;

    /// <summary>The files it imports, directly or not.</summary>
    public IReadOnlyList<FileDescriptorProto> Imports { get; } = imports;

    /// <summary>"proto2" or "proto3" (a file that names no syntax is proto2).</summary>
    public string Syntax => string.IsNullOrEmpty(File.Syntax) ? "proto2" : File.Syntax;

    /// <summary>Every message of the schema's own file by full name (<c>.pkg.Outer.Inner</c>), nested ones too.</summary>
    public Dictionary<string, DescriptorProto> Messages()
    {
        var all = new Dictionary<string, DescriptorProto>(StringComparer.Ordinal);
        void Add(string scope, IEnumerable<DescriptorProto> messages)
        {
            foreach (var message in messages)
            {
                var name = $"{scope}.{message.Name}";
                all[name] = message;
                Add(name, message.NestedTypes);
            }
        }

        Add(string.IsNullOrEmpty(File.Package) ? "" : "." + File.Package, File.MessageTypes);
        return all;
    }
}
