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
}
