using System.Text.Json;
using System.Text.Json.Nodes;
using Json.Schema;

namespace Streams.Registry.Schemas;

/// <summary>
/// JSON Schema subjects: a schema is checked against its draft's meta-schema with JsonSchema.Net (every keyword's
/// value of the right form), stored as compact JSON in the order given, and with <c>normalize</c> with object keys
/// sorted.
/// </summary>
internal static class JsonSchemas
{
    public const string Type = "JSON";

    /// <summary>Parses a schema and the schemas it references; throws <see cref="InvalidSchemaException"/> with the reason.</summary>
    public static JsonSchemaDocument Parse(string text, IReadOnlyList<(string Name, string Text)> references)
    {
        var root = ParseOne(text, "the schema");
        var referenced = new Dictionary<string, JsonNode?>(StringComparer.Ordinal);
        foreach (var (name, referencedText) in references)
        {
            referenced[name] = ParseOne(referencedText, $"the referenced schema '{name}'");
        }

        return new JsonSchemaDocument(root, referenced);
    }

    /// <summary>The stored form: compact; with <paramref name="normalize"/>, object keys sorted (arrays keep their order).</summary>
    public static string Canonical(JsonSchemaDocument document, bool normalize) =>
        (normalize ? Sorted(document.Root) : document.Root)?.ToJsonString() ?? "null";

    private static JsonNode? ParseOne(string text, string what)
    {
        if (!StrictJson.TryParse(text, out var node, out var error))
        {
            throw new InvalidSchemaException($"Invalid schema: {what} is not valid JSON: {error}");
        }

        if (node is not JsonObject && !(node is JsonValue v && v.GetValueKind() is JsonValueKind.True or JsonValueKind.False))
        {
            throw new InvalidSchemaException($"Invalid schema: {what} must be a JSON object or a boolean.");
        }

        // Validated as data against its draft's meta-schema (refs inside it are not followed here: they may name
        // other subjects, resolved through references when compared).
        using var document = JsonDocument.Parse(text);
        var results = MetaSchemaOf(node).Evaluate(document.RootElement, new EvaluationOptions { OutputFormat = OutputFormat.List });
        if (!results.IsValid)
        {
            var first = results.Details?.FirstOrDefault(d => d.Errors is { Count: > 0 });
            var where = first is null ? "" : first.InstanceLocation.ToString();
            where = where.Length > 0 ? where : "/";
            var why = first?.Errors?.Values.FirstOrDefault() ?? "it does not match its meta-schema";
            throw new InvalidSchemaException($"Invalid schema: {what} is not a valid JSON Schema at '{where}': {why}");
        }

        return node;
    }

    /// <summary>
    /// The meta-schema of the draft a schema names in <c>$schema</c>: draft-07 when it names none (Confluent's
    /// default); draft-04, which JsonSchema.Net does not ship, is checked against draft-06, its nearest successor.
    /// </summary>
    private static global::Json.Schema.JsonSchema MetaSchemaOf(JsonNode? schema)
    {
        var dialect = schema is JsonObject o && o["$schema"] is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : "";
        return dialect switch
        {
            _ when dialect.Contains("draft-04", StringComparison.Ordinal) || dialect.Contains("draft-06", StringComparison.Ordinal) => MetaSchemas.Draft6,
            _ when dialect.Contains("2019-09", StringComparison.Ordinal) => MetaSchemas.Draft201909,
            _ when dialect.Contains("2020-12", StringComparison.Ordinal) => MetaSchemas.Draft202012,
            _ => MetaSchemas.Draft7,
        };
    }

    private static JsonNode? Sorted(JsonNode? node) => node switch
    {
        JsonObject o => new JsonObject(o.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => KeyValuePair.Create(p.Key, Sorted(p.Value)))),
        JsonArray a => new JsonArray([.. a.Select(Sorted)]),
        _ => node?.DeepClone(),
    };
}
