using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Streams.Registry.Schemas;

/// <summary>
/// JSON as the registry reads what others wrote (schemas in requests, <c>_schemas</c> records): a repeated property
/// name is an error rather than "last one wins", because readers of the same bytes could otherwise disagree on what
/// they say (System.Text.Json's DOM keeps both and fails later, a typed read takes the last, Avro's parser the first),
/// and nesting is bounded so hostile input cannot exhaust the stack.
/// </summary>
internal static class StrictJson
{
    /// <summary>Deep enough for any real schema (each Avro nesting level costs one or two JSON levels).</summary>
    public const int MaxDepth = 64;

    private static readonly JsonDocumentOptions Options = new()
    {
        AllowDuplicateProperties = false,
        MaxDepth = MaxDepth,
    };

    /// <summary>True with the parsed JSON (null for the JSON literal null), or false with the reason it is not acceptable.</summary>
    public static bool TryParse(ReadOnlySpan<byte> utf8, out JsonNode? node, out string error)
    {
        try
        {
            node = JsonNode.Parse(utf8, documentOptions: Options);
            error = "";
            return true;
        }
        catch (JsonException ex)
        {
            node = null;
            error = ex.Message;
            return false;
        }
    }

    public static bool TryParse(string text, out JsonNode? node, out string error) => TryParse(Encoding.UTF8.GetBytes(text), out node, out error);
}
