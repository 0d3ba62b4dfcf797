using Confluent.SchemaRegistry;
using Google.Protobuf.Reflection;

namespace Streams.Operations.Records;

/// <summary>A registered Protobuf schema parsed with the schemas it imports (fetched by reference from the registry).</summary>
internal static class ProtobufSchemaFiles
{
    private const string Own = "__schema__.proto";

    /// <summary>Every file (the schema's and its imports', google/protobuf/*.proto included) and the schema's own.</summary>
    public static async Task<(IReadOnlyList<FileDescriptorProto> Files, FileDescriptorProto File)> LoadAsync(ISchemaRegistryClient registry, int id, Schema schema)
    {
        var set = new FileDescriptorSet();
        var added = new HashSet<string>(StringComparer.Ordinal);
        async Task AddReferencesAsync(IEnumerable<SchemaReference> references)
        {
            foreach (var reference in references)
            {
                if (!added.Add(reference.Name))
                {
                    continue;
                }

                var referenced = await registry.GetRegisteredSchemaAsync(reference.Subject, reference.Version).ConfigureAwait(false);
                await AddReferencesAsync(referenced.References).ConfigureAwait(false);
                set.Add(reference.Name, false, new StringReader(referenced.SchemaString));
            }
        }

        await AddReferencesAsync(schema.References).ConfigureAwait(false);
        set.Add(Own, true, new StringReader(schema.SchemaString));
        set.Process();
        if (set.GetErrors().FirstOrDefault(e => e.IsError) is { } error)
        {
            throw new InvalidDataException($"schema {id} does not parse: {error.Message}");
        }

        return (set.Files, set.Files.First(f => f.Name == Own));
    }

    /// <summary>
    /// A message of the file by full name (with or without the leading dot), or its first message when
    /// <paramref name="fullName"/> is null: the name as <c>.pkg.Outer.Inner</c> and its message indexes. Null when there is none.
    /// </summary>
    public static (string Name, IReadOnlyList<int> Indexes)? Message(FileDescriptorProto file, string? fullName)
    {
        var wanted = fullName is null ? null : "." + fullName.TrimStart('.');
        return All(file).Select(m => ((string Name, IReadOnlyList<int> Indexes)?)m).FirstOrDefault(m => wanted is null || m!.Value.Name == wanted);
    }

    /// <summary>The full names of the file's messages, nested ones too, for an error message.</summary>
    public static IEnumerable<string> MessageNames(FileDescriptorProto file) => All(file).Select(m => m.Name.TrimStart('.'));

    // Depth first in declaration order, so the file's first message comes first.
    private static IEnumerable<(string Name, IReadOnlyList<int> Indexes)> All(FileDescriptorProto file)
    {
        IEnumerable<(string, IReadOnlyList<int>)> Walk(string scope, List<DescriptorProto> messages, int[] path)
        {
            for (var i = 0; i < messages.Count; i++)
            {
                var name = $"{scope}.{messages[i].Name}";
                int[] indexes = [.. path, i];
                yield return (name, indexes);
                foreach (var nested in Walk(name, messages[i].NestedTypes, indexes))
                {
                    yield return nested;
                }
            }
        }

        return Walk(string.IsNullOrEmpty(file.Package) ? "" : "." + file.Package, file.MessageTypes, []);
    }
}
