using System.Text.Json;
using System.Text.Json.Nodes;
using Avro;

namespace Streams.Registry.Schemas;

/// <summary>Parses Avro schema text (with referenced named types) and gives the text the registry stores.</summary>
internal static class AvroSchemas
{
    /// <summary>
    /// Parses <paramref name="text"/>; <paramref name="references"/> are the texts of referenced schemas, dependencies
    /// first, whose named types the schema may use by name.
    /// </summary>
    public static Schema Parse(string text, IReadOnlyList<string> references)
    {
        var names = new SchemaNames();
        foreach (var reference in references)
        {
            ParseInto(reference, names, "a referenced schema");
        }

        return ParseInto(text, names, "the schema");
    }

    /// <summary>
    /// <see cref="Parse"/> for a schema being registered, tested or looked up: also refuses what JSON and Avro forbid
    /// but the parser lets through. Repeated JSON keys, a JSON value that cannot be a schema, excessive nesting and
    /// undefined types throw. A broken <see cref="SchemaRules">rule</see> (a default of the wrong type, ...) comes
    /// back in <paramref name="ruleProblem"/> instead: as in Confluent's registry, it refuses a new schema, but a
    /// schema registered before the rule was enforced can still be found (serializers look theirs up at every start).
    /// Referenced schemas are already stored and are only parsed.
    /// </summary>
    public static Schema ParseRequest(string text, IReadOnlyList<string> references, out string? ruleProblem)
    {
        var trimmed = text.Trim();

        // A bare primitive name (int, string, ...) is not JSON but both parsers take it, as Confluent's does.
        if (!BarePrimitives.Contains(trimmed))
        {
            if (!StrictJson.TryParse(text, out var json, out var error))
            {
                throw new InvalidSchemaException($"Invalid schema: not valid JSON: {error}");
            }

            if (json?.GetValueKind() is not (System.Text.Json.JsonValueKind.Object or System.Text.Json.JsonValueKind.Array or System.Text.Json.JsonValueKind.String))
            {
                throw new InvalidSchemaException("Invalid schema: a schema is a JSON object, array (union) or string (type name)");
            }
        }

        var schema = Parse(text, references);
        ruleProblem = SchemaRules.Check(schema);
        return schema;
    }

    /// <summary><see cref="ParseRequest"/> for a new schema: a broken rule throws too.</summary>
    public static Schema ParseNew(string text, IReadOnlyList<string> references)
    {
        var schema = ParseRequest(text, references, out var ruleProblem);
        return ruleProblem is null ? schema : throw new InvalidSchemaException(ruleProblem);
    }

    private static readonly HashSet<string> BarePrimitives = new(StringComparer.Ordinal)
    {
        "null", "boolean", "int", "long", "float", "double", "bytes", "string",
    };

    private static Schema ParseInto(string text, SchemaNames names, string what)
    {
        try
        {
            // Apache.Avro answers null, not an error, for an object whose "type" names nothing it knows.
            var schema = Schema.Parse(text, names)
                ?? throw new InvalidSchemaException($"Invalid schema: {what} has a type that is neither an Avro type nor a defined name");
            if (schema is NamedSchema named && !names.Contains(named.SchemaName))
            {
                names.Add(named);
            }

            return schema;
        }
        catch (Exception ex) when (ex is SchemaParseException or AvroException or Newtonsoft.Json.JsonException or ArgumentException or InvalidOperationException or FormatException)
        {
            throw new InvalidSchemaException($"Invalid schema: {what} is not valid Avro: {ex.Message}", ex);
        }
    }

    /// <summary>The stored form: <see cref="Normalize"/> when asked, else <see cref="Compact"/> (bare primitive names such as <c>int</c> are not JSON and are normalized).</summary>
    public static string Canonical(string text, Schema parsed, bool normalize) =>
        normalize || !text.TrimStart().StartsWith('{') && !text.TrimStart().StartsWith('[') && !text.TrimStart().StartsWith('"')
            ? Normalize(parsed)
            : Compact(text);

    /// <summary>
    /// The text stored and compared for identity: the submitted JSON without insignificant whitespace. Two
    /// registrations that differ only in layout get one id; anything else (docs, defaults, order) is a different schema.
    /// </summary>
    public static string Compact(string text)
    {
        try
        {
            return JsonNode.Parse(text)?.ToJsonString(CompactJson) ?? "null";
        }
        catch (JsonException ex)
        {
            throw new InvalidSchemaException($"Invalid schema: not valid JSON: {ex.Message}", ex);
        }
    }

    /// <summary>
    /// <c>normalize=true</c>: the form the Avro library writes back for the parsed schema, so equivalent spellings
    /// (<c>{"type":"string"}</c> and <c>"string"</c>, namespaces spelled out or inherited) get one id.
    /// </summary>
    public static string Normalize(Schema parsed) => Compact(parsed.ToString());

    private static readonly JsonSerializerOptions CompactJson = new() { WriteIndented = false, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
}
