using System.Text.Json.Nodes;
using Streams.Registry.Tests.Support;
using static Streams.Registry.Tests.Support.RegistryHttp;

namespace Streams.Registry.Tests.Protobuf;

/// <summary>
/// Confluent's Protobuf compatibility rules, one named case each, through the HTTP API: register the first schema,
/// then ask whether the second may follow under the level (and register it when it may).
/// </summary>
public sealed class ProtobufCompatibilityTests(SharedRegistry shared) : IClassFixture<SharedRegistry>
{
    private static string P3(string body, string package = "shop") => $"syntax = \"proto3\";\npackage {package};\n{body}";

    private static string P2(string body) => $"syntax = \"proto2\";\npackage shop;\n{body}";

    private static readonly string AB = P3("message M { string a = 1; int32 b = 2; }");
    private static readonly string A = P3("message M { string a = 1; }");

    public static TheoryData<string, string, string, string, string?> Cases => new()
    {
        // name, level, first, second, null when compatible or the errorType expected
        { "add_a_field", "BACKWARD", A, AB, null },
        { "remove_a_field", "BACKWARD", AB, A, null },
        { "rename_a_field", "FULL", A, P3("message M { string renamed = 1; }"), null },
        { "add_a_message", "BACKWARD", A, P3("message M { string a = 1; }\nmessage N { int64 x = 1; }"), null },
        { "remove_a_message", "BACKWARD", P3("message M { string a = 1; }\nmessage N { int64 x = 1; }"), A, "MESSAGE_REMOVED" },
        { "add_a_message_forward_removes_it", "FORWARD", A, P3("message M { string a = 1; }\nmessage N { int64 x = 1; }"), "MESSAGE_REMOVED" },
        { "change_the_package", "BACKWARD", A, P3("message M { string a = 1; }", "store"), "PACKAGE_CHANGED" },
        { "int32_to_int64", "FULL", P3("message M { int32 n = 1; }"), P3("message M { int64 n = 1; }"), null },
        { "uint32_to_bool", "FULL", P3("message M { uint32 n = 1; }"), P3("message M { bool n = 1; }"), null },
        { "sint32_to_sint64", "FULL", P3("message M { sint32 n = 1; }"), P3("message M { sint64 n = 1; }"), null },
        { "fixed32_to_sfixed32", "FULL", P3("message M { fixed32 n = 1; }"), P3("message M { sfixed32 n = 1; }"), null },
        { "string_to_bytes", "FULL", P3("message M { string s = 1; }"), P3("message M { bytes s = 1; }"), null },
        { "int32_to_sint32", "BACKWARD", P3("message M { int32 n = 1; }"), P3("message M { sint32 n = 1; }"), "FIELD_SCALAR_KIND_CHANGED" },
        { "int64_to_double", "BACKWARD", P3("message M { int64 n = 1; }"), P3("message M { double n = 1; }"), "FIELD_SCALAR_KIND_CHANGED" },
        { "scalar_to_message", "BACKWARD", P3("message M { string s = 1; }\nmessage N { string x = 1; }"), P3("message M { N s = 1; }\nmessage N { string x = 1; }"), "FIELD_KIND_CHANGED" },
        { "message_to_another_message", "BACKWARD", P3("message M { N s = 1; }\nmessage N { string x = 1; }\nmessage O { string x = 1; }"),
            P3("message M { O s = 1; }\nmessage N { string x = 1; }\nmessage O { string x = 1; }"), "FIELD_NAMED_TYPE_CHANGED" },
        { "scalar_to_map", "BACKWARD", P3("message M { string s = 1; }"), P3("message M { map<string, string> s = 1; }"), "FIELD_KIND_CHANGED" },
        { "map_value_int32_to_int64", "FULL", P3("message M { map<string, int32> s = 1; }"), P3("message M { map<string, int64> s = 1; }"), null },
        { "map_value_int32_to_string", "BACKWARD", P3("message M { map<string, int32> s = 1; }"), P3("message M { map<string, string> s = 1; }"), "FIELD_SCALAR_KIND_CHANGED" },
        { "add_an_enum_value", "FULL", P3("enum E { A = 0; }\nmessage M { E e = 1; }"), P3("enum E { A = 0; B = 1; }\nmessage M { E e = 1; }"), null },
        { "remove_an_enum_value", "FULL", P3("enum E { A = 0; B = 1; }\nmessage M { E e = 1; }"), P3("enum E { A = 0; }\nmessage M { E e = 1; }"), null },
        { "nested_message_field_change", "BACKWARD", P3("message M { message In { int32 x = 1; } In i = 1; }"), P3("message M { message In { float x = 1; } In i = 1; }"), "FIELD_SCALAR_KIND_CHANGED" },
        { "add_a_oneof_field", "BACKWARD", P3("message M { oneof o { string a = 1; } }"), P3("message M { oneof o { string a = 1; int32 b = 2; } }"), null },
        { "remove_a_oneof_field", "BACKWARD", P3("message M { oneof o { string a = 1; int32 b = 2; } }"), P3("message M { oneof o { string a = 1; } }"), "ONEOF_FIELD_REMOVED" },
        { "move_one_field_into_a_new_oneof", "BACKWARD", P3("message M { string a = 1; int32 b = 2; }"), P3("message M { oneof o { string a = 1; } int32 b = 2; }"), null },
        { "move_two_fields_into_a_new_oneof", "BACKWARD", AB, P3("message M { oneof o { string a = 1; int32 b = 2; } }"), "MULTIPLE_FIELDS_MOVED_TO_ONEOF" },
        { "move_a_field_into_an_existing_oneof", "BACKWARD", P3("message M { oneof o { string a = 1; } int32 b = 2; }"), P3("message M { oneof o { string a = 1; int32 b = 2; } }"), "FIELD_MOVED_TO_EXISTING_ONEOF" },
        { "proto2_add_an_optional_field", "BACKWARD", P2("message M { required string a = 1; }"), P2("message M { required string a = 1; optional int32 b = 2; }"), null },
        { "proto2_add_a_required_field", "BACKWARD", P2("message M { required string a = 1; }"), P2("message M { required string a = 1; required int32 b = 2; }"), "REQUIRED_FIELD_ADDED" },
        { "proto2_remove_a_required_field", "BACKWARD", P2("message M { required string a = 1; optional int32 b = 2; }"), P2("message M { optional int32 b = 2; }"), "REQUIRED_FIELD_REMOVED" },
        { "proto2_make_a_field_required", "BACKWARD", P2("message M { optional string a = 1; }"), P2("message M { required string a = 1; }"), "REQUIRED_FIELD_ADDED" },
        { "anything_goes_under_none", "NONE", P3("message M { int32 n = 1; }"), P3("message M { string n = 1; }", "other"), null },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public Task Rule(string name, string level, string first, string second, string? expectedError) =>
        CompatibilityRule.CheckAsync(shared.Server, "PROTOBUF", name, level, first, second, expectedError);

    [Fact]
    public async Task Transitive_levels_compare_with_every_earlier_version()
    {
        using var http = shared.Server.Http();
        var subject = TestSchemas.Subject("transitive");
        await PutAsync(http, $"/config/{subject}", Body(new JsonObject { ["compatibility"] = "NONE" }));
        await PostAsync(http, $"/subjects/{subject}/versions", SchemaBody(P3("message M { int32 n = 1; }"), "PROTOBUF"));
        await PostAsync(http, $"/subjects/{subject}/versions", SchemaBody(P3("message M { string n = 1; }"), "PROTOBUF"));
        var third = P3("message M { string n = 1; bool extra = 2; }");

        await PutAsync(http, $"/config/{subject}", Body(new JsonObject { ["compatibility"] = "BACKWARD" }));
        Assert.True((bool)(await PostAsync(http, $"/compatibility/subjects/{subject}/versions", SchemaBody(third, "PROTOBUF"))).Body!["is_compatible"]!);
        await PutAsync(http, $"/config/{subject}", Body(new JsonObject { ["compatibility"] = "FULL_TRANSITIVE" }));
        var refused = await PostAsync(http, $"/subjects/{subject}/versions", SchemaBody(third, "PROTOBUF"));
        AssertError(refused, 409, 409);
        Assert.Contains("FIELD_SCALAR_KIND_CHANGED", (string)refused.Body!["message"]!, StringComparison.Ordinal);
        Assert.Contains("version 1", (string)refused.Body["message"]!, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_proto_schema_after_avro_versions_is_a_type_change()
    {
        using var http = shared.Server.Http();
        var subject = TestSchemas.Subject("mixed");
        await PostAsync(http, $"/subjects/{subject}/versions", SchemaBody(TestSchemas.User));
        var refused = await PostAsync(http, $"/subjects/{subject}/versions", SchemaBody(A, "PROTOBUF"));
        AssertError(refused, 409, 409);
        Assert.Contains("SCHEMA_TYPE_CHANGED", (string)refused.Body!["message"]!, StringComparison.Ordinal);
    }
}
