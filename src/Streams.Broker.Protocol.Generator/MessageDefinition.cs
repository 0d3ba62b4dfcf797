using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;

namespace Streams.Broker.Protocol.Generator;

/// <summary>Thrown for a definition the generator cannot turn into code; becomes a KPROTO001 diagnostic.</summary>
internal sealed class DefinitionException(string message) : Exception(message);

/// <summary>An inclusive version range as Kafka writes it: "3+", "2-4", "5" or "none".</summary>
internal readonly record struct Versions(short Min, short Max)
{
    public static readonly Versions None = new(1, 0);

    public bool IsEmpty => Min > Max;

    public bool IsOpenEnded => Max == short.MaxValue;

    public static Versions Parse(string? text, string what)
    {
        var value = (text ?? string.Empty).Trim();
        if (value.Length == 0 || value == "none")
        {
            return None;
        }

        if (value.EndsWith("+", StringComparison.Ordinal))
        {
            return new Versions(ParseShort(value.Substring(0, value.Length - 1), what), short.MaxValue);
        }

        var dash = value.IndexOf('-');
        return dash < 0
            ? new Versions(ParseShort(value, what), ParseShort(value, what))
            : new Versions(ParseShort(value.Substring(0, dash), what), ParseShort(value.Substring(dash + 1), what));
    }

    private static short ParseShort(string text, string what) =>
        short.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed)
            ? parsed
            : throw new DefinitionException($"{what}: '{text}' is not a version range");

    public Versions Intersect(Versions other) => new(Math.Max(Min, other.Min), Math.Min(Max, other.Max));

    public bool Contains(Versions other) => other.IsEmpty || (Min <= other.Min && Max >= other.Max);

    /// <summary>The C# test for "version is in this range", given that it is already within <paramref name="valid"/>; "" when always true.</summary>
    public string Condition(Versions valid)
    {
        var range = Intersect(valid);
        if (range.IsEmpty)
        {
            return "false";
        }

        var parts = new List<string>();
        if (range.Min > valid.Min)
        {
            parts.Add($"version >= {range.Min}");
        }

        if (range.Max < valid.Max)
        {
            parts.Add($"version <= {range.Max}");
        }

        return string.Join(" && ", parts);
    }
}

/// <summary>One API: its request and response and the versions this broker serves.</summary>
internal sealed record MessagePair(short ApiKey, string Name, string About, Versions Valid, Versions Flexible, StructDefinition Request, StructDefinition Response);

/// <summary>A message or one of its nested structs (array element types).</summary>
internal sealed record StructDefinition(string Name, IReadOnlyList<FieldDefinition> Fields);

/// <summary>One field: a primitive, an array of primitives, or an array of (or single) nested struct.</summary>
internal sealed record FieldDefinition(
    string Name,
    string Type,
    bool IsArray,
    Versions Versions,
    Versions NullableVersions,
    int? Tag,
    Versions TaggedVersions,
    string? Default,
    string About,
    StructDefinition? Struct);

/// <summary>Reads our message definition files (modelled on Kafka's message specs: one file holds an API's request and response).</summary>
internal static class DefinitionParser
{
    private static readonly HashSet<string> Primitives = new(StringComparer.Ordinal)
    {
        "int8", "int16", "uint16", "int32", "uint32", "int64", "float64", "bool", "string", "bytes", "records", "uuid",
    };

    public static bool IsPrimitive(string type) => Primitives.Contains(type);

    public static MessagePair Parse(string json)
    {
        JObject root;
        try
        {
            root = JObject.Parse(json, new JsonLoadSettings { CommentHandling = CommentHandling.Ignore });
        }
        catch (JsonException ex)
        {
            throw new DefinitionException(ex.Message);
        }

        var name = Required(root, "name", "message");
        var apiKey = root.Value<short?>("apiKey") ?? throw new DefinitionException($"{name}: apiKey is required");
        var valid = Versions.Parse(Required(root, "validVersions", name), name + ".validVersions");
        if (valid.IsEmpty || valid.IsOpenEnded)
        {
            throw new DefinitionException($"{name}: validVersions must be a closed range (the versions the handler serves)");
        }

        var flexible = Versions.Parse(root.Value<string>("flexibleVersions") ?? "none", name + ".flexibleVersions");
        if (!flexible.IsEmpty && !flexible.IsOpenEnded)
        {
            throw new DefinitionException($"{name}: flexibleVersions must be open-ended (\"N+\") or \"none\"");
        }

        var request = ParseStruct(root["request"] as JObject ?? throw new DefinitionException($"{name}: request is required"), name + "Request", valid);
        var response = ParseStruct(root["response"] as JObject ?? throw new DefinitionException($"{name}: response is required"), name + "Response", valid);
        var structNames = new HashSet<string>(StringComparer.Ordinal);
        CheckNames(request, request, structNames);
        structNames.Clear();
        CheckNames(response, response, structNames);
        return new MessagePair(apiKey, name, root.Value<string>("about") ?? string.Empty, valid, flexible, request, response);
    }

    private static string Required(JObject obj, string property, string owner) =>
        obj.Value<string>(property) is { Length: > 0 } value ? value : throw new DefinitionException($"{owner}: '{property}' is required");

    private static StructDefinition ParseStruct(JObject obj, string name, Versions valid)
    {
        var fields = (obj["fields"] as JArray ?? new JArray()).OfType<JObject>().Select(f => ParseField(f, name, valid)).ToList();
        var tags = fields.Where(f => f.Tag is not null).GroupBy(f => f.Tag).FirstOrDefault(g => g.Count() > 1);
        if (tags is not null)
        {
            throw new DefinitionException($"{name}: tag {tags.Key} is used twice");
        }

        return new StructDefinition(name, fields);
    }

    private static FieldDefinition ParseField(JObject obj, string owner, Versions valid)
    {
        var name = Required(obj, "name", owner);
        var where = owner + "." + name;
        var type = Required(obj, "type", where);
        var isArray = type.StartsWith("[]", StringComparison.Ordinal);
        var element = isArray ? type.Substring(2) : type;
        var versions = Versions.Parse(Required(obj, "versions", where), where + ".versions");
        var nullable = Versions.Parse(obj.Value<string>("nullableVersions"), where + ".nullableVersions");
        var tagged = Versions.Parse(obj.Value<string>("taggedVersions"), where + ".taggedVersions");
        var tag = obj.Value<int?>("tag");
        if (tag is not null == tagged.IsEmpty)
        {
            throw new DefinitionException($"{where}: 'tag' and 'taggedVersions' go together");
        }

        if (!versions.Contains(tagged))
        {
            throw new DefinitionException($"{where}: taggedVersions must lie within versions");
        }

        StructDefinition? nested = null;
        if (!IsPrimitive(element))
        {
            if (obj["fields"] is not JArray)
            {
                throw new DefinitionException($"{where}: type '{element}' is neither a primitive nor a struct with fields");
            }

            nested = ParseStruct(obj, element, valid);
        }
        else if (obj["fields"] is not null)
        {
            throw new DefinitionException($"{where}: a primitive type has no fields");
        }

        if (!nullable.Intersect(valid).IsEmpty && !isArray && nested is null && element is not ("string" or "bytes" or "records"))
        {
            throw new DefinitionException($"{where}: only strings, bytes, records, structs and arrays can be nullable");
        }

        var defaultValue = obj["default"]?.ToString();
        if (defaultValue == "null" && nullable.Intersect(versions).Intersect(valid).IsEmpty)
        {
            throw new DefinitionException($"{where}: default null needs nullableVersions");
        }

        return new FieldDefinition(name, element, isArray, versions, nullable, tag, tagged, defaultValue, obj.Value<string>("about") ?? string.Empty, nested);
    }

    /// <summary>Structs become nested classes of the message, so their names must be unique and not clash with members.</summary>
    private static void CheckNames(StructDefinition message, StructDefinition current, HashSet<string> structNames)
    {
        foreach (var field in current.Fields)
        {
            if (field.Name == current.Name)
            {
                throw new DefinitionException($"{current.Name}: a field cannot share its struct's name");
            }

            if (field.Struct is not { } nested)
            {
                continue;
            }

            if (!structNames.Add(nested.Name) || nested.Name == message.Name || message.Fields.Any(f => f.Name == nested.Name))
            {
                throw new DefinitionException($"{message.Name}: struct name '{nested.Name}' is used twice or clashes with a field");
            }

            CheckNames(message, nested, structNames);
        }
    }
}
