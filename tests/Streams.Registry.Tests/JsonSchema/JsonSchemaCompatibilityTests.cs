using System.Text.Json.Nodes;
using Streams.Registry.Tests.Support;
using static Streams.Registry.Tests.Support.RegistryHttp;

namespace Streams.Registry.Tests.JsonSchema;

/// <summary>
/// Confluent's JSON Schema compatibility rules, one named case each, through the HTTP API: register the first
/// schema, then ask whether the second may follow under the level (and register it when it may).
/// </summary>
public sealed class JsonSchemaCompatibilityTests(SharedRegistry shared) : IClassFixture<SharedRegistry>
{
    private const string Open = """{"type":"object","properties":{"a":{"type":"string"}}}""";
    private const string OpenAB = """{"type":"object","properties":{"a":{"type":"string"},"b":{"type":"string"}}}""";
    private const string Closed = """{"type":"object","properties":{"a":{"type":"string"}},"additionalProperties":false}""";
    private const string ClosedAB = """{"type":"object","properties":{"a":{"type":"string"},"b":{"type":"string"}},"additionalProperties":false}""";

    public static TheoryData<string, string, string, string, string?> Cases => new()
    {
        // name, level, first, second, null when compatible or the errorType expected
        { "add_optional_property_to_closed_model", "BACKWARD", Closed, ClosedAB, null },
        { "remove_property_from_open_model", "BACKWARD", OpenAB, Open, null },
        { "add_property_to_open_model", "BACKWARD", Open, OpenAB, "PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL" },
        { "remove_property_from_closed_model", "BACKWARD", ClosedAB, Closed, "PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL" },
        { "add_property_to_open_model_forward", "FORWARD", Open, OpenAB, null },
        { "add_property_to_open_model_full", "FULL", Open, OpenAB, "PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL" },
        { "close_an_open_model", "BACKWARD", Open, Closed, "ADDITIONAL_PROPERTIES_REMOVED" },
        { "open_a_closed_model", "BACKWARD", Closed, Open, null },
        { "widen_integer_to_number", "BACKWARD", """{"type":"integer"}""", """{"type":"number"}""", null },
        { "narrow_number_to_integer", "BACKWARD", """{"type":"number"}""", """{"type":"integer"}""", "TYPE_NARROWED" },
        { "change_string_to_integer", "BACKWARD", """{"type":"string"}""", """{"type":"integer"}""", "TYPE_CHANGED" },
        { "add_null_to_the_types", "BACKWARD", """{"type":"string"}""", """{"type":["string","null"]}""", null },
        { "add_enum_value", "BACKWARD", """{"enum":["a","b"]}""", """{"enum":["a","b","c"]}""", null },
        { "remove_enum_value", "BACKWARD", """{"enum":["a","b"]}""", """{"enum":["a"]}""", "ENUM_ARRAY_NARROWED" },
        { "raise_max_length", "BACKWARD", """{"type":"string","maxLength":5}""", """{"type":"string","maxLength":9}""", null },
        { "lower_max_length", "BACKWARD", """{"type":"string","maxLength":9}""", """{"type":"string","maxLength":5}""", "MAX_LENGTH_DECREASED" },
        { "add_minimum", "BACKWARD", """{"type":"number"}""", """{"type":"number","minimum":0}""", "MINIMUM_ADDED" },
        { "drop_maximum", "BACKWARD", """{"type":"number","maximum":10}""", """{"type":"number"}""", null },
        { "drop_a_required_property", "BACKWARD", """{"type":"object","properties":{"a":{"type":"string"}},"required":["a"]}""", Open, null },
        { "require_a_property", "BACKWARD", Open, """{"type":"object","properties":{"a":{"type":"string"}},"required":["a"]}""", "REQUIRED_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL" },
        { "require_a_property_with_a_default", "BACKWARD", Open, """{"type":"object","properties":{"a":{"type":"string","default":""}},"required":["a"]}""", null },
        { "narrow_array_items", "BACKWARD", """{"type":"array","items":{"type":"number"}}""", """{"type":"array","items":{"type":"integer"}}""", "TYPE_NARROWED" },
        { "add_a_oneof_alternative", "BACKWARD", """{"oneOf":[{"type":"string"},{"type":"integer"}]}""", """{"oneOf":[{"type":"string"},{"type":"integer"},{"type":"boolean"}]}""", null },
        { "remove_a_oneof_alternative", "BACKWARD", """{"oneOf":[{"type":"string"},{"type":"integer"}]}""", """{"oneOf":[{"type":"string"}]}""", "COMBINED_TYPE_SUBSCHEMAS_CHANGED" },
        { "change_a_nested_property_through_a_local_ref", "BACKWARD",
            """{"type":"object","properties":{"x":{"$ref":"#/definitions/X"}},"definitions":{"X":{"type":"number"}}}""",
            """{"type":"object","properties":{"x":{"$ref":"#/definitions/X"}},"definitions":{"X":{"type":"integer"}}}""", "TYPE_NARROWED" },
        { "change_an_unanalysed_keyword", "BACKWARD", """{"type":"string"}""", """{"type":"string","not":{"const":"x"}}""", "NOT_CHANGED" },
        { "anything_goes_under_none", "NONE", """{"type":"string"}""", """{"type":"integer"}""", null },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public Task Rule(string name, string level, string first, string second, string? expectedError) =>
        CompatibilityRule.CheckAsync(shared.Server, "JSON", name, level, first, second, expectedError);

    [Fact]
    public async Task Transitive_levels_compare_with_every_earlier_version()
    {
        using var http = shared.Server.Http();
        var subject = TestSchemas.Subject("transitive");
        await PutAsync(http, $"/config/{subject}", Body(new JsonObject { ["compatibility"] = "NONE" }));
        await PostAsync(http, $"/subjects/{subject}/versions", SchemaBody("""{"type":"integer"}""", "JSON"));
        await PostAsync(http, $"/subjects/{subject}/versions", SchemaBody("""{"type":"string"}""", "JSON"));
        var third = """{"type":"string","description":"v3"}""";

        await PutAsync(http, $"/config/{subject}", Body(new JsonObject { ["compatibility"] = "BACKWARD" }));
        Assert.True((bool)(await PostAsync(http, $"/compatibility/subjects/{subject}/versions", SchemaBody(third, "JSON"))).Body!["is_compatible"]!);
        await PutAsync(http, $"/config/{subject}", Body(new JsonObject { ["compatibility"] = "BACKWARD_TRANSITIVE" }));
        var refused = await PostAsync(http, $"/subjects/{subject}/versions", SchemaBody(third, "JSON"));
        AssertError(refused, 409, 409);
        Assert.Contains("version 1", (string)refused.Body!["message"]!, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_json_schema_after_avro_versions_is_a_type_change()
    {
        using var http = shared.Server.Http();
        var subject = TestSchemas.Subject("mixed");
        await PostAsync(http, $"/subjects/{subject}/versions", SchemaBody(TestSchemas.User));
        var refused = await PostAsync(http, $"/subjects/{subject}/versions", SchemaBody(Open, "JSON"));
        AssertError(refused, 409, 409);
        Assert.Contains("SCHEMA_TYPE_CHANGED", (string)refused.Body!["message"]!, StringComparison.Ordinal);
    }
}
