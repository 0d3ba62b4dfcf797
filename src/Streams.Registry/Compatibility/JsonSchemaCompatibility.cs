using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Streams.Registry.Schemas;

namespace Streams.Registry.Compatibility;

/// <summary>
/// Whether a reader JSON Schema accepts every document a writer JSON Schema accepts, with Confluent's names for what
/// breaks (TYPE_NARROWED, PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL, REQUIRED_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL, ...).
/// Content models follow Confluent: an object is open unless <c>additionalProperties</c> is false (closed) or a
/// schema (partially open). Changes to keywords this checker does not analyse (<c>not</c>, <c>if</c>,
/// <c>patternProperties</c>, dependencies, ...) count as incompatible unless both sides say the same, so an answer of
/// "compatible" is never a guess.
/// </summary>
internal static class JsonSchemaCompatibility
{
    private static readonly string[] Unanalysed =
    [
        "not", "if", "then", "else", "patternProperties", "dependencies", "dependentRequired", "dependentSchemas",
        "propertyNames", "contains", "minContains", "maxContains", "unevaluatedProperties", "unevaluatedItems", "additionalItems",
    ];

    private static readonly string[] AllTypes = ["null", "boolean", "object", "array", "number", "integer", "string"];

    /// <summary>Reasons <paramref name="reader"/> refuses some document <paramref name="writer"/> accepts; empty when none.</summary>
    public static List<Incompatibility> Check(JsonSchemaDocument reader, JsonSchemaDocument writer)
    {
        var problems = new List<Incompatibility>();
        new Walk(reader, writer, problems).Compare(new(reader.Root, reader.Root), new(writer.Root, writer.Root), "#");
        return problems;
    }

    /// <summary>A schema node and the document its local <c>$ref</c>s point into.</summary>
    private readonly record struct Located(JsonNode? Node, JsonNode? Document);

    private sealed class Walk(JsonSchemaDocument readerDocument, JsonSchemaDocument writerDocument, List<Incompatibility> problems)
    {
        private readonly HashSet<(JsonNode?, JsonNode?)> _visiting = new(new PairComparer());

        public void Compare(Located reader, Located writer, string path)
        {
            if (Dereference(reader, readerDocument, path, "reader") is not { } r || Dereference(writer, writerDocument, path, "writer") is not { } w)
            {
                return;
            }

            if (AcceptsNothing(w.Node) || AcceptsEverything(r.Node))
            {
                return;
            }

            if (AcceptsNothing(r.Node))
            {
                Add("SCHEMA_NARROWED", path, "the reader schema is false and accepts nothing");
                return;
            }

            // Recursive schemas ($ref to an enclosing definition) meet the same pair again: it is being compared already.
            if (!_visiting.Add((r.Node, w.Node)))
            {
                return;
            }

            try
            {
                CompareObjects(r, w, path, r.Node as JsonObject ?? [], w.Node as JsonObject ?? []);
            }
            finally
            {
                _visiting.Remove((r.Node, w.Node));
            }
        }

        private void CompareObjects(Located r, Located w, string path, JsonObject reader, JsonObject writer)
        {
            // A writer union: each of its alternatives must be readable.
            foreach (var keyword in (string[])["oneOf", "anyOf"])
            {
                if (writer[keyword] is JsonArray alternatives && reader[keyword] is null)
                {
                    for (var i = 0; i < alternatives.Count; i++)
                    {
                        Compare(r, w with { Node = alternatives[i] }, $"{path}/{keyword}/{i}");
                    }

                    return;
                }
            }

            // A reader union: some alternative must read each writer alternative.
            foreach (var keyword in (string[])["oneOf", "anyOf"])
            {
                if (reader[keyword] is JsonArray readers)
                {
                    var writers = writer["oneOf"] as JsonArray ?? writer["anyOf"] as JsonArray;
                    var writerAlternatives = writers is null ? [w] : writers.Select(a => w with { Node = a }).ToList();
                    for (var i = 0; i < writerAlternatives.Count; i++)
                    {
                        if (!readers.Any(alternative => Accepts(r with { Node = alternative }, writerAlternatives[i], path)))
                        {
                            Add(writers is null ? "SUM_TYPE_NARROWED" : "COMBINED_TYPE_SUBSCHEMAS_CHANGED", path,
                                $"no alternative of the reader's {keyword} accepts the writer's {(writers is null ? "schema" : $"alternative {i}")}");
                        }
                    }

                    return;
                }
            }

            if (reader["allOf"] is JsonArray all)
            {
                for (var i = 0; i < all.Count; i++)
                {
                    Compare(r with { Node = all[i] }, w, $"{path}/allOf/{i}");
                }
            }

            if (writer["allOf"] is JsonArray writerAll && reader["allOf"] is null
                && !writerAll.Any(part => Accepts(r, w with { Node = part }, path)) && !Accepts(r, w with { Node = Without(writer, "allOf") }, path))
            {
                Add("COMBINED_TYPE_SUBSCHEMAS_CHANGED", path, "the reader accepts none of the parts of the writer's allOf");
            }

            foreach (var keyword in Unanalysed)
            {
                if (!JsonNode.DeepEquals(reader[keyword], writer[keyword]) && reader[keyword] is not null)
                {
                    Add($"{ToConstant(keyword)}_CHANGED", $"{path}/{keyword}", $"'{keyword}' differs and is only accepted unchanged");
                }
            }

            var readerTypes = Types(reader);
            var writerTypes = Types(writer);
            CompareTypes(path, readerTypes, writerTypes);
            CompareValues(path, reader, writer);
            CompareBounds(path, reader, writer);
            if (readerTypes.Contains("object") && writerTypes.Contains("object"))
            {
                CompareProperties(r, w, path, reader, writer);
            }

            if (readerTypes.Contains("array") && writerTypes.Contains("array"))
            {
                CompareItems(r, w, path, reader, writer);
            }
        }

        private void CompareTypes(string path, HashSet<string> reader, HashSet<string> writer)
        {
            var missing = writer.Where(t => !reader.Contains(t) && !(t == "integer" && reader.Contains("number"))).ToList();
            if (missing.Count == 0)
            {
                return;
            }

            var narrowed = reader.All(t => writer.Contains(t) || (t == "integer" && writer.Contains("number")));
            Add(narrowed ? "TYPE_NARROWED" : "TYPE_CHANGED", path,
                $"the writer allows type {string.Join(", ", missing)} where the reader allows {(reader.Count == AllTypes.Length ? "any" : string.Join(", ", reader))}");
        }

        private void CompareValues(string path, JsonObject reader, JsonObject writer)
        {
            var writerValues = writer["const"] is { } c ? [c] : (writer["enum"] as JsonArray)?.ToList();
            if (reader["enum"] is JsonArray readerEnum)
            {
                if (writerValues is null)
                {
                    Add("ENUM_ADDED", $"{path}/enum", "the reader restricts values to an enum the writer does not have");
                }
                else if (writerValues.FirstOrDefault(v => !readerEnum.Any(e => JsonNode.DeepEquals(e, v))) is { } lost)
                {
                    Add("ENUM_ARRAY_NARROWED", $"{path}/enum", $"the writer's value {lost?.ToJsonString() ?? "null"} is not in the reader's enum");
                }
            }

            if (reader.TryGetPropertyValue("const", out var readerConst)
                && (writerValues is null || writerValues.Any(v => !JsonNode.DeepEquals(v, readerConst))))
            {
                Add("CONST_CHANGED", $"{path}/const", "the reader's const is not the only value the writer allows");
            }
        }

        private void CompareBounds(string path, JsonObject reader, JsonObject writer)
        {
            // The reader may only widen a bound: its maximum no lower, its minimum no higher, and no new bound.
            foreach (var (keyword, upper) in (ReadOnlySpan<(string, bool)>)[
                ("maximum", true), ("exclusiveMaximum", true), ("maxLength", true), ("maxItems", true), ("maxProperties", true),
                ("minimum", false), ("exclusiveMinimum", false), ("minLength", false), ("minItems", false), ("minProperties", false)])
            {
                if (Number(reader[keyword]) is not { } bound)
                {
                    continue;
                }

                var constant = ToConstant(keyword);
                if (Number(writer[keyword]) is not { } writerBound)
                {
                    Add($"{constant}_ADDED", $"{path}/{keyword}", $"the reader adds {keyword} {bound.ToString(CultureInfo.InvariantCulture)}");
                }
                else if (upper ? bound < writerBound : bound > writerBound)
                {
                    Add($"{constant}_{(upper ? "DECREASED" : "INCREASED")}", $"{path}/{keyword}",
                        $"{keyword} goes from {writerBound.ToString(CultureInfo.InvariantCulture)} to {bound.ToString(CultureInfo.InvariantCulture)}");
                }
            }

            if (Number(reader["multipleOf"]) is { } multiple)
            {
                var writerMultiple = Number(writer["multipleOf"]);
                if (writerMultiple is null || decimal.Remainder(writerMultiple.Value, multiple) != 0)
                {
                    Add(writerMultiple is null ? "MULTIPLE_OF_ADDED" : "MULTIPLE_OF_CHANGED", $"{path}/multipleOf", $"the writer's numbers need not be multiples of {multiple.ToString(CultureInfo.InvariantCulture)}");
                }
            }

            foreach (var keyword in (string[])["pattern", "format"])
            {
                if (reader[keyword] is { } value && !JsonNode.DeepEquals(value, writer[keyword]))
                {
                    Add($"{ToConstant(keyword)}_{(writer[keyword] is null ? "ADDED" : "CHANGED")}", $"{path}/{keyword}", $"the reader's {keyword} {value.ToJsonString()} is not the writer's");
                }
            }

            if (reader["uniqueItems"]?.GetValueKind() == JsonValueKind.True && writer["uniqueItems"]?.GetValueKind() != JsonValueKind.True)
            {
                Add("UNIQUE_ITEMS_ADDED", $"{path}/uniqueItems", "the reader requires unique items, the writer does not");
            }
        }

        private void CompareProperties(Located r, Located w, string path, JsonObject reader, JsonObject writer)
        {
            var readerProperties = reader["properties"] as JsonObject ?? [];
            var writerProperties = writer["properties"] as JsonObject ?? [];
            var readerExtra = reader["additionalProperties"];
            var writerExtra = writer["additionalProperties"];
            var readerClosed = AcceptsNothing(readerExtra);
            var writerClosed = AcceptsNothing(writerExtra);
            var writerOpen = writerExtra is null || AcceptsEverything(writerExtra);

            foreach (var (name, writerProperty) in writerProperties)
            {
                var propertyPath = $"{path}/properties/{name}";
                if (readerProperties.TryGetPropertyValue(name, out var readerProperty))
                {
                    Compare(r with { Node = readerProperty }, w with { Node = writerProperty }, propertyPath);
                }
                else if (readerClosed)
                {
                    Add("PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL", propertyPath, $"property '{name}' is gone from a closed content model");
                }
                else if (readerExtra is JsonObject)
                {
                    // Partially open: the removed property's values now meet additionalProperties.
                    Compare(r with { Node = readerExtra }, w with { Node = writerProperty }, propertyPath);
                }
            }

            foreach (var (name, readerProperty) in readerProperties)
            {
                if (writerProperties.ContainsKey(name) || writerClosed || AcceptsEverything(readerProperty))
                {
                    continue;
                }

                var propertyPath = $"{path}/properties/{name}";
                if (writerOpen)
                {
                    Add("PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL", propertyPath, $"property '{name}' is new, and the writer's open content model may have written anything under that name");
                }
                else
                {
                    Compare(r with { Node = readerProperty }, w with { Node = writerExtra }, propertyPath);
                }
            }

            if (readerClosed && !writerClosed)
            {
                Add("ADDITIONAL_PROPERTIES_REMOVED", $"{path}/additionalProperties", "the reader closes a content model the writer left open");
            }
            else if (readerExtra is JsonObject && !AcceptsEverything(readerExtra) && !writerClosed)
            {
                if (writerOpen)
                {
                    Add("ADDITIONAL_PROPERTIES_NARROWED", $"{path}/additionalProperties", "the reader restricts additional properties the writer left open");
                }
                else
                {
                    Compare(r with { Node = readerExtra }, w with { Node = writerExtra }, $"{path}/additionalProperties");
                }
            }

            var writerRequired = Strings(writer["required"]);
            foreach (var name in Strings(reader["required"]).Where(n => !writerRequired.Contains(n)))
            {
                if (readerProperties[name] is JsonObject property && property.ContainsKey("default"))
                {
                    continue;
                }

                Add("REQUIRED_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL", $"{path}/required", $"property '{name}' is required by the reader but not by the writer, and has no default");
            }
        }

        private void CompareItems(Located r, Located w, string path, JsonObject reader, JsonObject writer)
        {
            var readerItems = reader["items"];
            var writerItems = writer["items"];
            if (readerItems is JsonArray || writerItems is JsonArray || reader["prefixItems"] is not null || writer["prefixItems"] is not null)
            {
                if (!JsonNode.DeepEquals(readerItems, writerItems) || !JsonNode.DeepEquals(reader["prefixItems"], writer["prefixItems"]))
                {
                    Add("ITEMS_CHANGED", $"{path}/items", "tuple items differ and are only accepted unchanged");
                }

                return;
            }

            if (readerItems is null || AcceptsEverything(readerItems))
            {
                return;
            }

            if (writerItems is null)
            {
                Add("ITEMS_ADDED", $"{path}/items", "the reader constrains array items the writer left free");
                return;
            }

            Compare(r with { Node = readerItems }, w with { Node = writerItems }, $"{path}/items");
        }

        /// <summary>Whether the reader accepts everything the writer does, without reporting.</summary>
        private bool Accepts(Located reader, Located writer, string path)
        {
            var probe = new List<Incompatibility>();
            new Walk(readerDocument, writerDocument, probe).Compare(reader, writer, path);
            return probe.Count == 0;
        }

        /// <summary>Follows <c>$ref</c>s to the schema they name; null (with a problem reported) when one cannot be found.</summary>
        private Located? Dereference(Located at, JsonSchemaDocument document, string path, string side)
        {
            for (var hops = 0; at.Node is JsonObject o && o["$ref"] is JsonValue reference && reference.GetValueKind() == JsonValueKind.String; hops++)
            {
                if (hops > StrictJson.MaxDepth || document.Resolve(reference.GetValue<string>(), at.Document) is not { } target)
                {
                    Add("REFERENCE_UNRESOLVED", path, $"the {side}'s $ref '{reference}' cannot be resolved");
                    return null;
                }

                at = new Located(target.Node, target.Document);
            }

            return at;
        }

        private void Add(string kind, string path, string description) => problems.Add(new Incompatibility(kind, path, description));
    }

    private static bool AcceptsEverything(JsonNode? schema) =>
        schema is null
        || (schema is JsonValue v && v.GetValueKind() == JsonValueKind.True)
        || (schema is JsonObject o && o.All(p => p.Key is "$schema" or "$id" or "id" or "title" or "description" or "$comment" or "default" or "examples" or "definitions" or "$defs"));

    private static bool AcceptsNothing(JsonNode? schema) => schema is JsonValue v && v.GetValueKind() == JsonValueKind.False;

    private static HashSet<string> Types(JsonObject schema)
    {
        var types = schema["type"] switch
        {
            JsonValue v when v.GetValueKind() == JsonValueKind.String => [v.GetValue<string>()],
            JsonArray a => a.Select(t => (string?)t).OfType<string>().ToHashSet(StringComparer.Ordinal),
            _ => new HashSet<string>(AllTypes, StringComparer.Ordinal),
        };
        if (types.Contains("number"))
        {
            types.Add("integer");
        }

        return types;
    }

    private static HashSet<string> Strings(JsonNode? node) =>
        node is JsonArray a ? a.Select(n => (string?)n).OfType<string>().ToHashSet(StringComparer.Ordinal) : [];

    private static decimal? Number(JsonNode? node) =>
        node is JsonValue v && v.GetValueKind() == JsonValueKind.Number && v.TryGetValue<decimal>(out var d) ? d : null;

    private static JsonObject Without(JsonObject schema, string keyword) =>
        new(schema.Where(p => p.Key != keyword).Select(p => KeyValuePair.Create(p.Key, p.Value?.DeepClone())));

    /// <summary><c>maxLength</c> → <c>MAX_LENGTH</c>.</summary>
    private static string ToConstant(string keyword) =>
        string.Concat(keyword.Select((c, i) => char.IsUpper(c) && i > 0 ? $"_{c}" : char.ToUpperInvariant(c).ToString()));

    private sealed class PairComparer : IEqualityComparer<(JsonNode?, JsonNode?)>
    {
        public bool Equals((JsonNode?, JsonNode?) x, (JsonNode?, JsonNode?) y) => ReferenceEquals(x.Item1, y.Item1) && ReferenceEquals(x.Item2, y.Item2);

        public int GetHashCode((JsonNode?, JsonNode?) obj) =>
            HashCode.Combine(System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(obj.Item1!), System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(obj.Item2!));
    }
}
