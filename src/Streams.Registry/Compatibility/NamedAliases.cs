using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;
using Avro;

namespace Streams.Registry.Compatibility;

/// <summary>
/// The full names a record, enum or fixed is also known by. Apache.Avro keeps them non-public, so they are read back
/// from the schema's own JSON; unqualified aliases take the schema's namespace, as the specification says.
/// </summary>
internal static class NamedAliases
{
    private static readonly ConditionalWeakTable<NamedSchema, HashSet<string>> Cache = [];

    public static HashSet<string> Of(NamedSchema schema) => Cache.GetValue(schema, Read);

    private static HashSet<string> Read(NamedSchema schema)
    {
        var aliases = new HashSet<string>(StringComparer.Ordinal);
        if (JsonNode.Parse(schema.ToString()) is JsonObject json && json["aliases"] is JsonArray array)
        {
            foreach (var alias in array.Select(a => (string?)a).OfType<string>())
            {
                aliases.Add(alias.Contains('.', StringComparison.Ordinal) || string.IsNullOrEmpty(schema.Namespace) ? alias : $"{schema.Namespace}.{alias}");
            }
        }

        return aliases;
    }
}
