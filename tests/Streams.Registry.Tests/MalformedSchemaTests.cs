using System.Text;
using Streams.Registry.Tests.Support;
using static Streams.Registry.Tests.Support.RegistryHttp;

namespace Streams.Registry.Tests;

/// <summary>
/// Schemas a hostile or careless client sends: every one is refused with 422, Confluent's error code 42201 and a
/// message saying what is wrong, when registered and when tested for compatibility; none is stored.
/// </summary>
public sealed class MalformedSchemaTests(SharedRegistry shared) : IClassFixture<SharedRegistry>
{
    private const string R = """{"type":"record","name":"R","fields":[""";

    private readonly RegistryServer _server = shared.Server;

    /// <summary>What is wrong, and the schema text.</summary>
    public static TheoryData<string, string> Malformed => new()
    {
        // Names that resolve to nothing.
        { "unknown type name for a field", R + """{"name":"a","type":"com.example.Nope"}]}""" },
        { "unknown type name as a type object", R + """{"name":"a","type":{"type":"nosuchtype"}}]}""" },
        { "unknown type name at the top", "\"Nope\"" },
        { "unknown type name at the top, as an object", """{"type":"Nope"}""" },
        { "unknown type in a union", """["null","Nope"]""" },
        { "unknown array item type", """{"type":"array","items":"Nope"}""" },
        { "unknown array item type, as an object", """{"type":"array","items":{"type":"Nope"}}""" },
        { "unknown map value type, as an object", """{"type":"map","values":{"type":"Nope"}}""" },
        { "unknown union branch, as an object", """["null",{"type":"Nope"}]""" },
        { "unknown field type inside a nested record", R + """{"name":"a","type":{"type":"record","name":"In","fields":[{"name":"x","type":{"type":"Nope"}}]}}]}""" },

        // Defaults that do not match their field's type.
        { "string default for an int", R + """{"name":"a","type":"int","default":"x"}]}""" },
        { "fractional default for an int", R + """{"name":"a","type":"int","default":1.5}]}""" },
        { "int default beyond 32 bits", R + """{"name":"a","type":"int","default":3000000000}]}""" },
        { "number default for a string", R + """{"name":"a","type":"string","default":1}]}""" },
        { "string default for a boolean", R + """{"name":"a","type":"boolean","default":"true"}]}""" },
        { "null default for a union whose first branch is not null", R + """{"name":"a","type":["string","null"],"default":null}]}""" },
        { "string default for a union whose first branch is null", R + """{"name":"a","type":["null","string"],"default":"x"}]}""" },
        { "null default for a non-null field", R + """{"name":"a","type":"long","default":null}]}""" },
        { "default not among the enum's symbols", R + """{"name":"a","type":{"type":"enum","name":"E","symbols":["A"]},"default":"B"}]}""" },
        { "enum default not among its symbols", """{"type":"enum","name":"E","symbols":["A","B"],"default":"C"}""" },
        { "array default that is not an array", R + """{"name":"a","type":{"type":"array","items":"int"},"default":{}}]}""" },
        { "array default with a wrong item", R + """{"name":"a","type":{"type":"array","items":"int"},"default":[1,"x"]}]}""" },
        { "record default lacking a field that has no default", R + """{"name":"a","type":{"type":"record","name":"In","fields":[{"name":"x","type":"int"}]},"default":{}}]}""" },

        // Unions.
        { "empty union at the top", "[]" },
        { "empty union as a field type", R + """{"name":"a","type":[]}]}""" },
        { "duplicate primitive branches", """["null","string","string"]""" },
        { "duplicate named branches", """[{"type":"record","name":"X","fields":[]},"X"]""" },
        { "logical and plain long in one union", """["long",{"type":"long","logicalType":"timestamp-millis"}]""" },
        { "union directly inside a union", """["null",["int","string"]]""" },

        // Names and fields.
        { "duplicate field names", R + """{"name":"a","type":"int"},{"name":"a","type":"string"}]}""" },
        { "record name starting with a digit", """{"type":"record","name":"1R","fields":[]}""" },
        { "record name with a dash", """{"type":"record","name":"my-record","fields":[]}""" },
        { "namespace with an empty part", """{"type":"record","name":"R","namespace":"com..example","fields":[]}""" },
        { "field name with a space", R + """{"name":"my field","type":"int"}]}""" },
        { "enum symbol with a space", """{"type":"enum","name":"E","symbols":["A B"]}""" },
        { "duplicate enum symbols", """{"type":"enum","name":"E","symbols":["A","A"]}""" },
        { "record without a name", """{"type":"record","fields":[]}""" },
        { "record without fields", """{"type":"record","name":"R"}""" },
        { "record whose fields are not an array", """{"type":"record","name":"R","fields":{}}""" },
        { "enum without symbols", """{"type":"enum","name":"E"}""" },
        { "array without items", """{"type":"array"}""" },
        { "map without values", """{"type":"map"}""" },
        { "fixed without a size", """{"type":"fixed","name":"F"}""" },
        { "fixed with a negative size", """{"type":"fixed","name":"F","size":-1}""" },

        // Not a schema at the JSON level.
        { "duplicate keys in the schema JSON", """{"type":"record","name":"R","name":"S","fields":[]}""" },
        { "duplicate keys in a field", R + """{"name":"a","type":"int","type":"string"}]}""" },
        { "not JSON", "not json at all" },
        { "truncated JSON", """{"type":"record","name":"R","fields":[""" },
        { "a JSON number", "123" },
        { "a JSON boolean", "true" },
        { "an empty string", "" },
        { "only whitespace", "   " },
        { "deeply nested arrays of arrays", Nested(200, """{"type":"array","items":""", "}", "\"int\"") },
        { "deeply nested JSON arrays", Nested(5000, "[", "]", "") },
        { "deeply nested records", Nested(100, R + """{"name":"f","type":""", "}]}", "\"int\"") },
    };

    [Theory]
    [MemberData(nameof(Malformed))]
    public async Task A_malformed_schema_is_refused_with_42201_and_a_message_and_nothing_is_stored(string problem, string schema)
    {
        using var http = _server.Http();
        var subject = TestSchemas.Subject();
        var response = await PostAsync(http, $"/subjects/{subject}/versions", SchemaBody(schema));
        Assert.True(response.Status == 422, $"{problem}: expected 422, got {response.Status}: {response.Body?.ToJsonString()}");
        AssertError(response, 422, 42201);
        AssertError(await GetAsync(http, $"/subjects/{subject}/versions?deleted=true"), 404, 40401);
    }

    [Theory]
    [MemberData(nameof(Malformed))]
    public async Task A_malformed_schema_tested_for_compatibility_or_looked_up_is_refused_with_42201(string problem, string schema)
    {
        using var http = _server.Http();
        var subject = TestSchemas.Subject();
        Assert.Equal(200, (await PostAsync(http, $"/subjects/{subject}/versions", SchemaBody(TestSchemas.User))).Status);
        var tested = await PostAsync(http, $"/compatibility/subjects/{subject}/versions/latest", SchemaBody(schema));
        Assert.True(tested.Status == 422, $"{problem}: expected 422, got {tested.Status}: {tested.Body?.ToJsonString()}");
        AssertError(tested, 422, 42201);
        AssertError(await PostAsync(http, $"/subjects/{subject}", SchemaBody(schema)), 422, 42201);
        Assert.Equal("[1]", (await GetAsync(http, $"/subjects/{subject}/versions")).Body!.ToJsonString());
    }

    [Theory]
    [InlineData("""["null","string"]""")]
    [InlineData(R + """{"name":"a","type":["null","string"],"default":null},{"name":"b","type":"int","default":1},{"name":"c","type":"double","default":1},{"name":"d","type":"float","default":"NaN"}]}""")]
    [InlineData(R + """{"name":"a","type":{"type":"record","name":"In","fields":[{"name":"x","type":"int","default":0}]},"default":{}}]}""")]
    [InlineData(R + """{"name":"a","type":{"type":"enum","name":"E","symbols":["A","B"],"default":"A"},"default":"B"}]}""")]
    [InlineData("""[{"type":"record","name":"X","fields":[]},{"type":"record","name":"Y","fields":[]},"null"]""")]
    [InlineData("""{"type":"record","name":"Node","namespace":"com.example","fields":[{"name":"next","type":["null","Node"],"default":null}]}""")]
    [InlineData("\"string\"")]
    [InlineData("int")]
    public async Task Valid_schemas_near_those_rules_are_still_accepted(string schema)
    {
        using var http = _server.Http();
        var response = await PostAsync(http, $"/subjects/{TestSchemas.Subject()}/versions", SchemaBody(schema));
        Assert.True(response.Status == 200, $"expected 200, got {response.Status}: {response.Body?.ToJsonString()}");
    }

    private static string Nested(int depth, string open, string close, string inner)
    {
        var text = new StringBuilder();
        for (var i = 0; i < depth; i++)
        {
            text.Append(open);
        }

        text.Append(inner);
        for (var i = 0; i < depth; i++)
        {
            text.Append(close);
        }

        return text.ToString();
    }
}
