using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
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

    // Apache.Avro keeps a schema's aliases in this private field (1.12). Reading it costs nothing, whereas writing
    // the schema out (the fallback below, should a later version rename the field) recurses through every type the
    // schema reaches by name: a long enough chain of records would overflow the stack.
    private static readonly FieldInfo? AliasesField = typeof(NamedSchema).GetField("aliases", BindingFlags.NonPublic | BindingFlags.Instance);

    private static HashSet<string> Read(NamedSchema schema)
    {
        var aliases = new HashSet<string>(StringComparer.Ordinal);
        if (AliasesField?.GetValue(schema) is IEnumerable<SchemaName> names)
        {
            foreach (var name in names)
            {
                aliases.Add(name.Fullname);
            }

            return aliases;
        }

        if (AliasesField is not null)
        {
            // The field exists and is null: no aliases.
            return aliases;
        }

        // The written JSON nests every type the schema defines, arbitrarily deep for a chain of records; a streaming
        // reader (no recursion, no depth limit that matters) looks only at this object's own "aliases".
        var reader = new Utf8JsonReader(Encoding.UTF8.GetBytes(schema.ToString()), new JsonReaderOptions { MaxDepth = int.MaxValue });
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            return aliases;
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isAliases = reader.ValueTextEquals("aliases"u8);
            reader.Read();
            if (!isAliases || reader.TokenType != JsonTokenType.StartArray)
            {
                reader.Skip();
                continue;
            }

            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            {
                if (reader.TokenType == JsonTokenType.String && reader.GetString() is { } alias)
                {
                    aliases.Add(alias.Contains('.', StringComparison.Ordinal) || string.IsNullOrEmpty(schema.Namespace) ? alias : $"{schema.Namespace}.{alias}");
                }
                else
                {
                    reader.Skip();
                }
            }
        }

        return aliases;
    }
}
