using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Streams.Registry.Tests.Support;
using static Streams.Registry.Tests.Support.RegistryHttp;

namespace Streams.Registry.Tests;

/// <summary>What clients get wrong: each answer has Confluent's status and error code, and nothing is stored.</summary>
public sealed class BadInputTests(SharedRegistry shared) : IClassFixture<SharedRegistry>
{
    private readonly RegistryServer _server = shared.Server;

    [Fact]
    public async Task Malformed_json_is_400()
    {
        using var http = _server.Http();
        var subject = TestSchemas.Subject();
        AssertError(await PostAsync(http, $"/subjects/{subject}/versions", new StringContent("{\"schema\": ", Encoding.UTF8, MediaType)), 400, 400);
        await AssertNothingStoredAsync(http, subject);
    }

    [Fact]
    public async Task A_request_body_repeating_a_property_is_400_rather_than_read_with_either_value()
    {
        using var http = _server.Http();
        var subject = TestSchemas.Subject();
        var body = $$"""{"schema":{{System.Text.Json.JsonSerializer.Serialize(TestSchemas.User)}},"schema":{{System.Text.Json.JsonSerializer.Serialize(TestSchemas.Distinct())}}}""";
        var response = await PostAsync(http, $"/subjects/{subject}/versions", new StringContent(body, Encoding.UTF8, MediaType));
        AssertError(response, 400, 400);
        Assert.Contains("schema", (string)response.Body!["message"]!, StringComparison.Ordinal);
        await AssertNothingStoredAsync(http, subject);
    }

    [Theory]
    [InlineData("""{"type":"record","name":"R","fields":[{"name":"a","type":"nosuchtype"}]}""")]
    [InlineData("""{"type":"record","fields":[]}""")]
    [InlineData("""{"type":"enum","name":"E","symbols":["A","A"]}""")]
    [InlineData("not json at all")]
    [InlineData("")]
    public async Task A_schema_that_is_not_valid_avro_is_42201(string schema)
    {
        using var http = _server.Http();
        var subject = TestSchemas.Subject();
        AssertError(await PostAsync(http, $"/subjects/{subject}/versions", SchemaBody(schema)), 422, 42201);
        await AssertNothingStoredAsync(http, subject);
    }

    [Theory]
    [InlineData("THRIFT")]
    [InlineData("XML")]
    public async Task Other_schema_types_are_refused_with_a_clear_message(string type)
    {
        using var http = _server.Http();
        var subject = TestSchemas.Subject();
        var response = await PostAsync(http, $"/subjects/{subject}/versions", SchemaBody("""{"type":"object"}""", type));
        AssertError(response, 422, 42201);
        Assert.Contains("AVRO", (string)response.Body!["message"]!, StringComparison.Ordinal);
        await AssertNothingStoredAsync(http, subject);
    }

    [Fact]
    public async Task Unknown_subject_version_and_id_have_their_own_codes()
    {
        using var http = _server.Http();
        var subject = TestSchemas.Subject();
        AssertError(await GetAsync(http, $"/subjects/{subject}/versions"), 404, 40401);
        AssertError(await GetAsync(http, $"/subjects/{subject}/versions/latest"), 404, 40401);
        AssertError(await GetAsync(http, "/schemas/ids/987654321"), 404, 40403);
        Assert.Equal(200, (await PostAsync(http, $"/subjects/{subject}/versions", SchemaBody(TestSchemas.User))).Status);
        AssertError(await GetAsync(http, $"/subjects/{subject}/versions/7"), 404, 40402);
        AssertError(await GetAsync(http, $"/subjects/{subject}/versions/zero"), 422, 42202);
        AssertError(await GetAsync(http, $"/subjects/{subject}/versions/0"), 422, 42202);
        AssertError(await PostAsync(http, $"/subjects/{subject}", SchemaBody(TestSchemas.Distinct())), 404, 40403);
        AssertError(await GetAsync(http, "/no/such/path"), 404, 404);
    }

    [Fact]
    public async Task Invalid_compatibility_level_and_mode_are_refused()
    {
        using var http = _server.Http();
        AssertError(await PutAsync(http, "/config", Body(new JsonObject { ["compatibility"] = "SIDEWAYS" })), 422, 42203);
        AssertError(await PutAsync(http, "/config", Body(new JsonObject { ["compatibility"] = 3 })), 422, 42203);
        AssertError(await PutAsync(http, "/mode", Body(new JsonObject { ["mode"] = "READMOSTLY" })), 422, 42204);
        Assert.Equal("BACKWARD", (string?)(await GetAsync(http, "/config")).Body!["compatibilityLevel"]);
    }

    [Fact]
    public async Task Wrong_content_type_is_415_and_plain_json_is_accepted()
    {
        using var http = _server.Http();
        var subject = TestSchemas.Subject();
        var body = new JsonObject { ["schema"] = TestSchemas.User }.ToJsonString();
        AssertError(await PostAsync(http, $"/subjects/{subject}/versions", new StringContent(body, Encoding.UTF8, "text/plain")), 415, 415);
        await AssertNothingStoredAsync(http, subject);

        var plain = await PostAsync(http, $"/subjects/{subject}/versions", new StringContent(body, Encoding.UTF8, new MediaTypeHeaderValue("application/json")));
        Assert.Equal(200, plain.Status);
        Assert.True((int)plain.Body!["id"]! > 0);
    }

    [Fact]
    public async Task Responses_carry_the_schema_registry_media_type()
    {
        using var http = _server.Http();
        using var response = await http.GetAsync("/subjects");
        Assert.Equal(MediaType, response.Content.Headers.ContentType?.MediaType);
    }

    private static async Task AssertNothingStoredAsync(HttpClient http, string subject) =>
        AssertError(await GetAsync(http, $"/subjects/{subject}/versions?deleted=true"), 404, 40401);
}
