using Confluent.SchemaRegistry;
using Json.Schema;

namespace Streams.Cli.Commands.Records;

/// <summary>
/// A registered JSON Schema built with the schemas it references (fetched by reference from the registry), so that a
/// <c>$ref</c> naming a reference (<c>address.json</c>, <c>address.json#/definitions/City</c>) is followed when a
/// record is checked, as Confluent's serializers resolve it.
/// </summary>
internal static class JsonSchemaFiles
{
    public static async Task<(global::Json.Schema.JsonSchema Schema, string Text)> LoadAsync(ISchemaRegistryClient registry, Schema schema)
    {
        // References are relative names; they resolve against a made-up base, never fetched, and new for every load:
        // building registers each schema under its URI, and registrations may not be replaced.
        var @base = new Uri($"https://schemas.streams.invalid/{Guid.NewGuid():N}/");
        var options = new BuildOptions();
        var added = new HashSet<string>(StringComparer.Ordinal);
        async Task AddAsync(IEnumerable<SchemaReference> references)
        {
            foreach (var reference in references)
            {
                if (!added.Add(reference.Name))
                {
                    continue;
                }

                var referenced = await registry.GetRegisteredSchemaAsync(reference.Subject, reference.Version).ConfigureAwait(false);
                await AddAsync(referenced.References).ConfigureAwait(false);
                global::Json.Schema.JsonSchema.FromText(referenced.SchemaString, options, new Uri(@base, reference.Name));
            }
        }

        await AddAsync(schema.References).ConfigureAwait(false);
        return (global::Json.Schema.JsonSchema.FromText(schema.SchemaString, options, new Uri(@base, "schema.json")), schema.SchemaString);
    }
}
