using System.Globalization;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;
using Avro;
using Newtonsoft.Json.Linq;

namespace Streams.Registry.Schemas;

/// <summary>
/// What the Avro specification (and Confluent's Java parser) refuses but Apache.Avro for .NET lets through, checked on
/// the parsed schema of a request: names, duplicate field names and enum symbols, empty, nested and repeated union
/// branches, enum defaults, and field defaults that do not match their type (a union's default matches its first
/// branch). Only new schemas must keep them; see <see cref="AvroSchemas.ParseRequest"/>.
/// </summary>
internal static partial class SchemaRules
{
    /// <summary>
    /// The first rule the schema breaks, or null. Throws <see cref="InvalidSchemaException"/> for what makes the
    /// schema unusable even when already registered: a type the parser left undefined, or nesting deeper than
    /// <see cref="MaxDepth"/> (writing such a schema out would recurse that deep).
    /// </summary>
    public static string? Check(Schema schema)
    {
        var findings = new Findings();

        // By identity: Apache.Avro's Equals/GetHashCode on records walk every nested type, exponential in a schema that
        // reuses named types along many paths.
        Walk(schema, new HashSet<NamedSchema>(ReferenceEqualityComparer.Instance), "", 0, findings);
        return findings.First;
    }

    /// <summary>Deeper nesting (possible through a chain of records in referenced schemas) is refused rather than risking the stack.</summary>
    public const int MaxDepth = 500;

    private static void Walk(Schema? schema, HashSet<NamedSchema> seen, string path, int depth, Findings findings)
    {
        if (depth > MaxDepth || !RuntimeHelpers.TryEnsureSufficientExecutionStack())
        {
            throw Invalid(path, $"types nest more than {MaxDepth} levels deep");
        }

        switch (schema)
        {
            case null:
                // Apache.Avro leaves a null where a nested {"type": ...} names nothing it knows.
                throw Invalid(path, "a type is neither an Avro type nor a defined name");
            case LogicalSchema logical:
                Walk(logical.BaseSchema, seen, path, depth + 1, findings);
                break;
            case RecordSchema record when seen.Add(record):
                CheckName(record, path, findings);
                var fieldNames = new HashSet<string>(StringComparer.Ordinal);
                foreach (var field in record.Fields)
                {
                    var fieldPath = $"{path}/{record.Name}.{field.Name}";
                    if (!IsName(field.Name))
                    {
                        findings.Report(fieldPath, $"'{field.Name}' is not a valid field name");
                    }

                    if (!fieldNames.Add(field.Name))
                    {
                        findings.Report(fieldPath, $"record {record.Fullname} has two fields named '{field.Name}'");
                    }

                    Walk(field.Schema, seen, fieldPath, depth + 1, findings);
                    if (field.DefaultValue is { } value && !IsValidDefault(field.Schema, value, 0))
                    {
                        findings.Report(fieldPath, $"the default {value.ToString(Newtonsoft.Json.Formatting.None)} is not a valid {Describe(field.Schema)}");
                    }
                }

                break;
            case EnumSchema enumSchema when seen.Add(enumSchema):
                CheckName(enumSchema, path, findings);
                var symbols = new HashSet<string>(StringComparer.Ordinal);
                foreach (var symbol in enumSchema.Symbols)
                {
                    if (!IsName(symbol) || !symbols.Add(symbol))
                    {
                        findings.Report(path, $"enum {enumSchema.Fullname} has an invalid or repeated symbol '{symbol}'");
                    }
                }

                if (enumSchema.Default is { } enumDefault && !symbols.Contains(enumDefault))
                {
                    findings.Report(path, $"enum {enumSchema.Fullname}'s default '{enumDefault}' is not one of its symbols");
                }

                break;
            case FixedSchema fixedSchema when seen.Add(fixedSchema):
                CheckName(fixedSchema, path, findings);
                if (fixedSchema.Size < 0)
                {
                    findings.Report(path, $"fixed {fixedSchema.Fullname} has a negative size");
                }

                break;
            case UnionSchema union:
                CheckUnion(union, path, findings);
                foreach (var branch in union.Schemas)
                {
                    Walk(branch, seen, path, depth + 1, findings);
                }

                break;
            case ArraySchema array:
                Walk(array.ItemSchema, seen, path + "/items", depth + 1, findings);
                break;
            case MapSchema map:
                Walk(map.ValueSchema, seen, path + "/values", depth + 1, findings);
                break;
        }
    }

    // "Unions may not contain more than one schema with the same type, except for the named types record, fixed and
    // enum", "Unions may not immediately contain other unions"; an empty union has no value at all.
    private static void CheckUnion(UnionSchema union, string path, Findings findings)
    {
        if (union.Count == 0)
        {
            findings.Report(path, "a union needs at least one branch");
        }

        var branches = new HashSet<string>(StringComparer.Ordinal);
        foreach (var branch in union.Schemas)
        {
            var underlying = branch is LogicalSchema logical ? logical.BaseSchema : branch;
            if (underlying is UnionSchema)
            {
                findings.Report(path, "a union may not contain another union");
            }

            var key = underlying is NamedSchema named ? named.Fullname : underlying.Tag.ToString();
            if (!branches.Add(key))
            {
                findings.Report(path, $"the union has two branches of type {key}");
            }
        }
    }

    private static void CheckName(NamedSchema schema, string path, Findings findings)
    {
        if (!IsName(schema.Name) || (!string.IsNullOrEmpty(schema.Namespace) && !IsNamespace(schema.Namespace)))
        {
            findings.Report(path, $"'{schema.Fullname}' is not a valid name: names start with [A-Za-z_] and continue with [A-Za-z0-9_], namespaces are such names joined by dots");
        }
    }

    /// <summary>The specification's default-value rules, as Java's <c>Schema.isValidDefault</c> applies them.</summary>
    private static bool IsValidDefault(Schema schema, JToken value, int depth)
    {
        if (depth > StrictJson.MaxDepth)
        {
            return false;
        }

        switch (schema)
        {
            case LogicalSchema logical:
                return IsValidDefault(logical.BaseSchema, value, depth);
            case UnionSchema union:
                // "Default values for union fields correspond to the first schema in the union."
                return union.Count > 0 && IsValidDefault(union.Schemas[0], value, depth + 1);
            case EnumSchema enumSchema:
                return value.Type == JTokenType.String && enumSchema.Symbols.Contains((string)value!);
            case ArraySchema array:
                return value is JArray items && items.All(i => IsValidDefault(array.ItemSchema, i, depth + 1));
            case MapSchema map:
                return value is JObject entries && entries.Properties().All(p => IsValidDefault(map.ValueSchema, p.Value, depth + 1));
            case RecordSchema record:
                // A field missing from the default takes the field's own default; without one the default is incomplete.
                return value is JObject fields && record.Fields.All(f => fields.TryGetValue(f.Name, out var v)
                    ? IsValidDefault(f.Schema, v, depth + 1)
                    : f.DefaultValue is not null);
        }

        return schema.Tag switch
        {
            Schema.Type.Null => value.Type == JTokenType.Null,
            Schema.Type.Boolean => value.Type == JTokenType.Boolean,
            Schema.Type.Int => value.Type == JTokenType.Integer && FitsIn(value, int.MinValue, int.MaxValue),
            Schema.Type.Long => value.Type == JTokenType.Integer && FitsIn(value, long.MinValue, long.MaxValue),
            Schema.Type.Float or Schema.Type.Double => value.Type is JTokenType.Integer or JTokenType.Float
                || (value.Type == JTokenType.String && (string)value! is "NaN" or "Infinity" or "-Infinity"),
            Schema.Type.String or Schema.Type.Bytes or Schema.Type.Fixed => value.Type == JTokenType.String,
            _ => false,
        };
    }

    private static bool FitsIn(JToken value, BigInteger min, BigInteger max)
    {
        var number = ((JValue)value).Value switch
        {
            BigInteger big => big,
            IConvertible c => new BigInteger(c.ToInt64(CultureInfo.InvariantCulture)),
            _ => (BigInteger?)null,
        };
        return number is { } n && n >= min && n <= max;
    }

    private static string Describe(Schema schema) => schema switch
    {
        LogicalSchema logical => Describe(logical.BaseSchema),
        UnionSchema union => union.Count == 0 ? "empty union" : $"value for the union's first branch ({Describe(union.Schemas[0])})",
        NamedSchema named => $"{named.Tag.ToString().ToLowerInvariant()} {named.Fullname}",
        _ => schema.Tag.ToString().ToLowerInvariant(),
    };

    private static bool IsName(string? name) => name is not null && NamePattern().IsMatch(name);

    private static bool IsNamespace(string space) => space.Split('.').All(IsName);

    private static string Describe(string path, string message) => $"Invalid schema: {message}{(path.Length > 0 ? $" (at {path})" : "")}";

    private static InvalidSchemaException Invalid(string path, string message) => new(Describe(path, message));

    /// <summary>The first broken rule; the walk goes on so that the hard limits are checked everywhere.</summary>
    private sealed class Findings
    {
        public string? First { get; private set; }

        public void Report(string path, string message) => First ??= Describe(path, message);
    }

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*$", RegexOptions.CultureInvariant)]
    private static partial Regex NamePattern();
}
