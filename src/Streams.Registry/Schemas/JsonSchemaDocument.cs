using System.Text.Json.Nodes;

namespace Streams.Registry.Schemas;

/// <summary>
/// A parsed JSON Schema with the schemas it references by name (Confluent references: the <c>$ref</c>
/// <c>address.json#/definitions/Address</c> names the reference <c>address.json</c>).
/// </summary>
internal sealed class JsonSchemaDocument(JsonNode? root, IReadOnlyDictionary<string, JsonNode?> referenced)
{
    /// <summary>The schema: a JSON object, or <c>true</c>/<c>false</c>.</summary>
    public JsonNode? Root { get; } = root;

    /// <summary>
    /// The schema a <c>$ref</c> points at, and the document it is in (for the refs inside it); null when it cannot
    /// be found. <paramref name="within"/> is the document holding the <c>$ref</c>.
    /// </summary>
    public (JsonNode? Node, JsonNode? Document)? Resolve(string reference, JsonNode? within)
    {
        var hash = reference.IndexOf('#', StringComparison.Ordinal);
        var documentName = hash < 0 ? reference : reference[..hash];
        var pointer = hash < 0 ? "" : reference[(hash + 1)..];
        JsonNode? document;
        if (documentName.Length == 0)
        {
            document = within;
        }
        else if (!referenced.TryGetValue(documentName, out document))
        {
            // A $ref may be an absolute URL whose last segment is the reference's name.
            var byFileName = referenced.Where(r => documentName.EndsWith("/" + r.Key, StringComparison.Ordinal)).ToList();
            if (byFileName.Count != 1)
            {
                return null;
            }

            document = byFileName[0].Value;
        }

        var node = document;
        foreach (var token in pointer.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            var name = Uri.UnescapeDataString(token).Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal);
            node = node switch
            {
                JsonObject o when o.TryGetPropertyValue(name, out var child) => child,
                JsonArray a when int.TryParse(name, out var i) && i >= 0 && i < a.Count => a[i],
                _ => null,
            };
            if (node is null)
            {
                return null;
            }
        }

        return (node, document);
    }
}
