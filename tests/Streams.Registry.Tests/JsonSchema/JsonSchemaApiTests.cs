using System.Text.Json.Nodes;
using Streams.Registry.Tests.Support;
using static Streams.Registry.Tests.Support.RegistryHttp;

namespace Streams.Registry.Tests.JsonSchema;

/// <summary>JSON Schema subjects over the REST API: schemaType in answers, lookup, normalize, invalid schemas, references.</summary>
public sealed class JsonSchemaApiTests(SharedRegistry shared) : IClassFixture<SharedRegistry>
{
    private const string Order = """{"type": "object", "properties": {"id": {"type": "string"}, "amount": {"type": "number"}}, "required": ["id"]}""";

    [Fact]
    public async Task A_json_schema_registers_and_every_answer_says_json()
    {
        using var http = shared.Server.Http();
        var subject = TestSchemas.Subject("json");
        var registered = await PostAsync(http, $"/subjects/{subject}/versions", SchemaBody(Order, "JSON"));
        Assert.Equal(200, registered.Status);
        var id = (int)registered.Body!["id"]!;

        var byId = (await GetAsync(http, $"/schemas/ids/{id}")).Body!;
        Assert.Equal("JSON", (string?)byId["schemaType"]);
        Assert.Equal(JsonNode.Parse(Order)!.ToJsonString(), (string?)byId["schema"]);
        var latest = (await GetAsync(http, $"/subjects/{subject}/versions/latest")).Body!;
        Assert.Equal(("JSON", id, 1), ((string?)latest["schemaType"], (int)latest["id"]!, (int)latest["version"]!));
        var lookup = await PostAsync(http, $"/subjects/{subject}", SchemaBody(Order, "JSON"));
        Assert.Equal(("JSON", id), ((string?)lookup.Body!["schemaType"], (int)lookup.Body["id"]!));

        // The same text as AVRO is another schema (and not a valid Avro one).
        AssertError(await PostAsync(http, $"/subjects/{subject}", SchemaBody(Order)), 422, 42201);
        Assert.Equal(id, (int)(await PostAsync(http, $"/subjects/{TestSchemas.Subject("json")}/versions", SchemaBody(Order, "JSON"))).Body!["id"]!);
    }

    [Fact]
    public async Task Normalize_sorts_keys_so_reordered_schemas_are_one()
    {
        using var http = shared.Server.Http();
        var subject = TestSchemas.Subject("norm");
        var a = """{"type":"object","properties":{"x":{"type":"string"}}}""";
        var b = """{"properties":{"x":{"type":"string"}},"type":"object"}""";
        var first = (int)(await PostAsync(http, $"/subjects/{subject}/versions?normalize=true", SchemaBody(a, "JSON"))).Body!["id"]!;
        var second = await PostAsync(http, $"/subjects/{subject}/versions?normalize=true", SchemaBody(b, "JSON"));
        Assert.Equal((first, 1), ((int)second.Body!["id"]!, (int)second.Body["version"]!));
        Assert.Equal("[1]", (await GetAsync(http, $"/subjects/{subject}/versions")).Body!.ToJsonString());
    }

    [Theory]
    [InlineData("""{"type":"object",""", "not valid JSON")]
    [InlineData("""[1,2]""", "object or a boolean")]
    [InlineData("""{"type":5}""", "not a valid JSON Schema")]
    [InlineData("""{"minLength":"three"}""", "not a valid JSON Schema")]
    public async Task An_invalid_json_schema_is_42201_with_the_reason(string schema, string reason)
    {
        using var http = shared.Server.Http();
        var subject = TestSchemas.Subject("bad");
        var refused = await PostAsync(http, $"/subjects/{subject}/versions", SchemaBody(schema, "JSON"));
        AssertError(refused, 422, 42201);
        Assert.Contains(reason, (string)refused.Body!["message"]!, StringComparison.Ordinal);
        Assert.Equal(404, (await GetAsync(http, $"/subjects/{subject}/versions")).Status);
    }

    [Fact]
    public async Task A_ref_to_another_subject_resolves_through_references_and_its_changes_are_checked()
    {
        using var http = shared.Server.Http();
        var (addressSubject, customerSubject) = (TestSchemas.Subject("address"), TestSchemas.Subject("customer"));
        await PutAsync(http, $"/config/{addressSubject}", Body(new JsonObject { ["compatibility"] = "NONE" }));
        await PostAsync(http, $"/subjects/{addressSubject}/versions", SchemaBody("""{"type":"object","properties":{"city":{"type":"string"}}}""", "JSON"));
        await PostAsync(http, $"/subjects/{addressSubject}/versions", SchemaBody("""{"type":"object","properties":{"city":{"type":"string","maxLength":20}}}""", "JSON"));

        JsonObject Customer(int addressVersion) => new()
        {
            ["schemaType"] = "JSON",
            ["schema"] = """{"type":"object","properties":{"address":{"$ref":"address.json"}}}""",
            ["references"] = new JsonArray(new JsonObject { ["name"] = "address.json", ["subject"] = addressSubject, ["version"] = addressVersion }),
        };

        var registered = await PostAsync(http, $"/subjects/{customerSubject}/versions", Body(Customer(1)));
        Assert.Equal(200, registered.Status);
        var id = (int)registered.Body!["id"]!;
        Assert.Equal($"[{id}]", (await GetAsync(http, $"/subjects/{addressSubject}/versions/1/referencedby")).Body!.ToJsonString());
        var byId = (await GetAsync(http, $"/schemas/ids/{id}")).Body!;
        Assert.Equal(("JSON", "address.json"), ((string?)byId["schemaType"], (string?)byId["references"]![0]!["name"]));

        // The same customer schema over address version 2 narrows city: refused under BACKWARD, with the path into the reference.
        var refused = await PostAsync(http, $"/subjects/{customerSubject}/versions", Body(Customer(2)));
        AssertError(refused, 409, 409);
        Assert.Contains("MAX_LENGTH_ADDED", (string)refused.Body!["message"]!, StringComparison.Ordinal);
        Assert.Contains("#/properties/address/properties/city/maxLength", (string)refused.Body["message"]!, StringComparison.Ordinal);

        var missing = Customer(1);
        missing["references"] = new JsonArray(new JsonObject { ["name"] = "address.json", ["subject"] = addressSubject, ["version"] = 7 });
        AssertError(await PostAsync(http, $"/subjects/{TestSchemas.Subject()}/versions", Body(missing)), 422, 42201);
    }
}
