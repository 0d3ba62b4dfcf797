using Streams.Registry.Compatibility;
using Streams.Registry.Model;

namespace Streams.Registry.Tests;

/// <summary>
/// The compatibility levels decided by the Avro specification's schema-resolution rules. Each case names the rule;
/// BACKWARD means the new schema reads data written with the old, FORWARD the old reads the new's, FULL both.
/// </summary>
public sealed class CompatibilityRulesTests
{
    private const string Backward = "BACKWARD";
    private const string Forward = "FORWARD";
    private const string Full = "FULL";

    public static TheoryData<string, string, string[], string, bool> Cases => new()
    {
        // Records: fields matched by name; reader fields need a writer field or a default; extra writer fields ignored.
        { "add field with default", Backward, [Rec(F("a", "int"))], Rec(F("a", "int"), F("b", "string", "\"x\"")), true },
        { "add field without default", Backward, [Rec(F("a", "int"))], Rec(F("a", "int"), F("b", "string")), false },
        { "add nullable field with null default", Backward, [Rec(F("a", "int"))], Rec(F("a", "int"), F("b", "[\"null\",\"string\"]", "null")), true },
        { "remove field", Backward, [Rec(F("a", "int"), F("b", "string"))], Rec(F("a", "int")), true },
        { "reorder fields", Full, [Rec(F("a", "int"), F("b", "string"))], Rec(F("b", "string"), F("a", "int")), true },
        { "rename field with alias", Backward, [Rec(F("a", "int"))], Rec(FA("renamed", "int", "a")), true },
        { "rename field without alias", Backward, [Rec(F("a", "int"))], Rec(F("renamed", "int")), false },
        { "rename field without alias but with default", Backward, [Rec(F("a", "int"))], Rec(F("renamed", "int", "0")), true },
        { "forward: add field without default", Forward, [Rec(F("a", "int"))], Rec(F("a", "int"), F("b", "string")), true },
        { "forward: remove field the old reader needs", Forward, [Rec(F("a", "int"), F("b", "string"))], Rec(F("a", "int")), false },
        { "forward: remove field that had a default", Forward, [Rec(F("a", "int"), F("b", "string", "\"x\""))], Rec(F("a", "int")), true },
        { "full: add field with default", Full, [Rec(F("a", "int"))], Rec(F("a", "int"), F("b", "long", "0")), true },
        { "full: add field without default", Full, [Rec(F("a", "int"))], Rec(F("a", "int"), F("b", "long")), false },
        { "full: remove field with default", Full, [Rec(F("a", "int"), F("b", "long", "0"))], Rec(F("a", "int")), true },

        // Promotions: int -> long, float, double; long -> float, double; float -> double; string <-> bytes.
        { "int to long", Backward, [Rec(F("a", "int"))], Rec(F("a", "long")), true },
        { "int to float", Backward, [Rec(F("a", "int"))], Rec(F("a", "float")), true },
        { "int to double", Backward, [Rec(F("a", "int"))], Rec(F("a", "double")), true },
        { "long to float", Backward, [Rec(F("a", "long"))], Rec(F("a", "float")), true },
        { "long to double", Backward, [Rec(F("a", "long"))], Rec(F("a", "double")), true },
        { "float to double", Backward, [Rec(F("a", "float"))], Rec(F("a", "double")), true },
        { "string to bytes", Backward, [Rec(F("a", "string"))], Rec(F("a", "bytes")), true },
        { "bytes to string", Backward, [Rec(F("a", "bytes"))], Rec(F("a", "string")), true },
        { "long to int (narrowing)", Backward, [Rec(F("a", "long"))], Rec(F("a", "int")), false },
        { "double to float (narrowing)", Backward, [Rec(F("a", "double"))], Rec(F("a", "float")), false },
        { "float to long", Backward, [Rec(F("a", "float"))], Rec(F("a", "long")), false },
        { "string to int", Backward, [Rec(F("a", "string"))], Rec(F("a", "int")), false },
        { "forward: int to long is not readable by the old int reader", Forward, [Rec(F("a", "int"))], Rec(F("a", "long")), false },
        { "full: int to long", Full, [Rec(F("a", "int"))], Rec(F("a", "long")), false },
        { "top-level int to long", Backward, ["\"int\""], "\"long\"", true },
        { "top-level string to int", Backward, ["\"string\""], "\"int\"", false },

        // Enums: a writer symbol unknown to the reader needs the reader's default.
        { "enum symbol added", Backward, [Enum("A", "B")], Enum("A", "B", "C"), true },
        { "enum symbol removed", Backward, [Enum("A", "B", "C")], Enum("A", "B"), false },
        { "enum symbol removed, reader has a default", Backward, [Enum("A", "B", "C")], EnumWithDefault("A", ["A", "B"]), true },
        { "forward: enum symbol added, old reader has no default", Forward, [Enum("A", "B")], Enum("A", "B", "C"), false },
        { "forward: enum symbol added, old reader has a default", Forward, [EnumWithDefault("A", ["A", "B"])], Enum("A", "B", "C"), true },
        { "enum renamed with alias", Backward, [Enum("A")], """{"type":"enum","name":"Color","aliases":["Suit"],"symbols":["A"]}""", true },

        // Unions: every writer branch must resolve against the reader (a reader union picks a matching branch).
        { "make field nullable", Backward, [Rec(F("a", "int"))], Rec(F("a", "[\"null\",\"int\"]", null)), true },
        { "make nullable field required", Backward, [Rec(F("a", "[\"null\",\"int\"]"))], Rec(F("a", "int")), false },
        { "union adds a branch", Backward, [Rec(F("a", "[\"null\",\"int\"]"))], Rec(F("a", "[\"null\",\"int\",\"string\"]")), true },
        { "union removes a branch", Backward, [Rec(F("a", "[\"null\",\"int\",\"string\"]"))], Rec(F("a", "[\"null\",\"int\"]")), false },
        { "union branches reordered", Full, [Rec(F("a", "[\"int\",\"string\"]"))], Rec(F("a", "[\"string\",\"int\"]")), true },
        { "union branch promoted: int read as [null,long]", Backward, [Rec(F("a", "int"))], Rec(F("a", "[\"null\",\"long\"]")), true },
        { "union of int,string read as long", Backward, [Rec(F("a", "[\"int\",\"string\"]"))], Rec(F("a", "long")), false },

        // Named types: same unqualified name (or an alias); fixed sizes equal.
        { "record renamed without alias", Backward, [Rec(F("a", "int"))], """{"type":"record","name":"Other","fields":[{"name":"a","type":"int"}]}""", false },
        { "record renamed with alias", Backward, [Rec(F("a", "int"))], """{"type":"record","name":"Other","aliases":["Rec"],"fields":[{"name":"a","type":"int"}]}""", true },
        { "namespace changed, same unqualified name", Backward, [Rec(F("a", "int"))], """{"type":"record","name":"Rec","namespace":"com.other","fields":[{"name":"a","type":"int"}]}""", true },
        { "fixed size changed", Backward, ["""{"type":"fixed","name":"Hash","size":16}"""], """{"type":"fixed","name":"Hash","size":32}""", false },
        { "fixed unchanged", Full, ["""{"type":"fixed","name":"Hash","size":16}"""], """{"type":"fixed","name":"Hash","size":16}""", true },

        // Arrays and maps: their item and value types resolve.
        { "array items int to long", Backward, [Rec(F("a", """{"type":"array","items":"int"}"""))], Rec(F("a", """{"type":"array","items":"long"}""")), true },
        { "array items long to int", Backward, [Rec(F("a", """{"type":"array","items":"long"}"""))], Rec(F("a", """{"type":"array","items":"int"}""")), false },
        { "map values string to bytes", Backward, [Rec(F("a", """{"type":"map","values":"string"}"""))], Rec(F("a", """{"type":"map","values":"bytes"}""")), true },
        { "map values int to string", Backward, [Rec(F("a", """{"type":"map","values":"int"}"""))], Rec(F("a", """{"type":"map","values":"string"}""")), false },
        { "array becomes map", Backward, [Rec(F("a", """{"type":"array","items":"int"}"""))], Rec(F("a", """{"type":"map","values":"int"}""")), false },

        // Nested records follow the same rules at every depth.
        { "nested record adds field with default", Backward, [Rec(F("n", Nested(F("x", "int"))))], Rec(F("n", Nested(F("x", "int"), F("y", "int", "0")))), true },
        { "nested record adds field without default", Backward, [Rec(F("n", Nested(F("x", "int"))))], Rec(F("n", Nested(F("x", "int"), F("y", "int")))), false },
        { "nested record field narrowed", Backward, [Rec(F("n", Nested(F("x", "long"))))], Rec(F("n", Nested(F("x", "int")))), false },
        { "record becomes nullable record", Backward, [Rec(F("n", Nested(F("x", "int"))))], Rec(F("n", $"[\"null\",{Nested(F("x", "int"))}]", null)), true },
        { "recursive record adds field with default", Backward, [LinkedList()], LinkedList(F("label", "string", "\"\"")), true },

        // Logical types resolve as their underlying type, except decimals, which must keep precision and scale.
        { "timestamp-millis to plain long", Backward, [Rec(F("t", """{"type":"long","logicalType":"timestamp-millis"}"""))], Rec(F("t", "long")), true },
        { "date (int) to long", Backward, [Rec(F("d", """{"type":"int","logicalType":"date"}"""))], Rec(F("d", "long")), true },
        { "uuid to string", Full, [Rec(F("u", """{"type":"string","logicalType":"uuid"}"""))], Rec(F("u", "string")), true },
        { "decimal unchanged", Full, [Rec(F("m", Decimal(10, 2)))], Rec(F("m", Decimal(10, 2))), true },
        { "decimal scale changed", Backward, [Rec(F("m", Decimal(10, 2)))], Rec(F("m", Decimal(10, 3))), false },
        { "decimal precision changed", Backward, [Rec(F("m", Decimal(10, 2)))], Rec(F("m", Decimal(12, 2))), false },
        { "timestamp-millis to string", Backward, [Rec(F("t", """{"type":"long","logicalType":"timestamp-millis"}"""))], Rec(F("t", "string")), false },

        // Transitive levels look at every earlier version; the plain ones at the latest only.
        { "backward: only the latest counts", Backward, [Rec(F("a", "int")), Rec(F("a", "int"), F("b", "string", "\"x\""))], Rec(F("a", "int"), F("b", "string")), true },
        { "backward transitive: the oldest counts too", "BACKWARD_TRANSITIVE", [Rec(F("a", "int")), Rec(F("a", "int"), F("b", "string", "\"x\""))], Rec(F("a", "int"), F("b", "string")), false },
        { "forward: only the latest counts", Forward, [Rec(F("a", "int"), F("b", "int")), Rec(F("a", "int"), F("b", "int", "0"))], Rec(F("a", "int")), true },
        { "forward transitive: the oldest reader counts too", "FORWARD_TRANSITIVE", [Rec(F("a", "int"), F("b", "int")), Rec(F("a", "int"), F("b", "int", "0"))], Rec(F("a", "int")), false },
        { "full transitive: every version both ways", "FULL_TRANSITIVE", [Rec(F("a", "int")), Rec(F("a", "int"), F("b", "int", "0"))], Rec(F("a", "int"), F("b", "int", "0"), F("c", "int", "1")), true },
        { "full transitive: oldest fails", "FULL_TRANSITIVE", [Rec(F("a", "int"), F("b", "int")), Rec(F("a", "int"), F("b", "int", "0"))], Rec(F("a", "int")), false },
        { "none: anything goes", "NONE", [Rec(F("a", "int"))], Rec(F("a", "string")), true },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Verdict_follows_the_Avro_resolution_rules(string name, string level, string[] previous, string candidate, bool compatible)
    {
        Assert.True(CompatibilityLevels.TryParse(level, out var parsedLevel));
        var history = previous.Select((s, i) => (i + 1, Avro.Schema.Parse(s))).ToList();
        var problems = CompatibilityChecker.Check(parsedLevel, Avro.Schema.Parse(candidate), history);
        Assert.True(compatible == (problems.Count == 0), $"{name}: expected {(compatible ? "compatible" : "incompatible")}, reasons: [{string.Join("; ", problems)}]");
    }

    [Fact]
    public void Table_covers_at_least_forty_cases() => Assert.True(Cases.Count >= 40);

    [Fact]
    public void Reasons_name_the_rule_and_the_path()
    {
        var problems = SchemaResolution.Check(
            Avro.Schema.Parse(Rec(F("n", Nested(F("x", "int"), F("y", "int"))))),
            Avro.Schema.Parse(Rec(F("n", Nested(F("x", "int"))))));
        var problem = Assert.Single(problems);
        Assert.Equal(("READER_FIELD_MISSING_DEFAULT_VALUE", "/fields/n/fields/y"), (problem.Kind, problem.Path));
    }

    private static string Rec(params string[] fields) => $$"""{"type":"record","name":"Rec","fields":[{{string.Join(",", fields)}}]}""";

    private static string Nested(params string[] fields) => $$"""{"type":"record","name":"Inner","fields":[{{string.Join(",", fields)}}]}""";

    private static string LinkedList(params string[] extra) =>
        $$"""{"type":"record","name":"Node","fields":[{"name":"value","type":"int"},{"name":"next","type":["null","Node"],"default":null}{{string.Concat(extra.Select(e => "," + e))}}]}""";

    /// <summary>A field; <paramref name="defaultJson"/> is raw JSON, or absent for no default.</summary>
    private static string F(string name, string type, string? defaultJson = null) =>
        $$"""{"name":"{{name}}","type":{{Type(type)}}{{(defaultJson is null ? "" : $",\"default\":{defaultJson}")}}}""";

    private static string FA(string name, string type, string alias) => $$"""{"name":"{{name}}","aliases":["{{alias}}"],"type":{{Type(type)}}}""";

    private static string Type(string type) => type.StartsWith('{') || type.StartsWith('[') ? type : $"\"{type}\"";

    private static string Enum(params string[] symbols) => $$"""{"type":"enum","name":"Suit","symbols":[{{string.Join(",", symbols.Select(s => $"\"{s}\""))}}]}""";

    private static string EnumWithDefault(string defaultSymbol, string[] symbols) =>
        $$"""{"type":"enum","name":"Suit","symbols":[{{string.Join(",", symbols.Select(s => $"\"{s}\""))}}],"default":"{{defaultSymbol}}"}""";

    private static string Decimal(int precision, int scale) => $$"""{"type":"bytes","logicalType":"decimal","precision":{{precision}},"scale":{{scale}}}""";
}
