using System.Text.Json.Nodes;
using Streams.Registry.Tests.Support;
using static Streams.Registry.Tests.Support.RegistryHttp;

namespace Streams.Registry.Tests;

/// <summary>The REST endpoints the Confluent client does not call but people script against.</summary>
public sealed class HttpApiTests(SharedRegistry shared) : IClassFixture<SharedRegistry>
{
    private readonly RegistryServer _server = shared.Server;

    [Fact]
    public async Task Soft_delete_hides_versions_and_permanent_delete_needs_a_soft_delete_first()
    {
        using var http = _server.Http();
        var subject = TestSchemas.Subject();
        var id = (int)(await PostAsync(http, $"/subjects/{subject}/versions", SchemaBody(TestSchemas.User))).Body!["id"]!;
        await PostAsync(http, $"/subjects/{subject}/versions", SchemaBody(TestSchemas.UserWithEmail));

        AssertError(await DeleteAsync(http, $"/subjects/{subject}?permanent=true"), 404, 40405);
        Assert.Equal("[1,2]", (await DeleteAsync(http, $"/subjects/{subject}")).Body!.ToJsonString());
        AssertError(await DeleteAsync(http, $"/subjects/{subject}"), 404, 40404);
        AssertError(await GetAsync(http, $"/subjects/{subject}/versions"), 404, 40401);
        Assert.DoesNotContain(subject, (await GetAsync(http, "/subjects")).Body!.AsArray().Select(s => (string?)s));
        Assert.Contains(subject, (await GetAsync(http, "/subjects?deleted=true")).Body!.AsArray().Select(s => (string?)s));
        Assert.Equal(200, (await GetAsync(http, $"/subjects/{subject}/versions/1?deleted=true")).Status);

        // Soft-deleted schemas stay readable by id: old records must still deserialize.
        Assert.Equal(200, (await GetAsync(http, $"/schemas/ids/{id}")).Status);

        // Registering again continues the version numbers and reuses the id.
        var again = (await PostAsync(http, $"/subjects/{subject}/versions", SchemaBody(TestSchemas.User))).Body!;
        Assert.Equal((id, 3), ((int)again["id"]!, (int)again["version"]!));

        AssertError(await DeleteAsync(http, $"/subjects/{subject}/versions/3?permanent=true"), 404, 40407);
        Assert.Equal(3, (int)(await DeleteAsync(http, $"/subjects/{subject}/versions/3")).Body!);
        AssertError(await DeleteAsync(http, $"/subjects/{subject}/versions/3"), 404, 40406);
        Assert.Equal(3, (int)(await DeleteAsync(http, $"/subjects/{subject}/versions/3?permanent=true")).Body!);
        Assert.Equal("[1,2]", (await DeleteAsync(http, $"/subjects/{subject}?permanent=true")).Body!.ToJsonString());
        AssertError(await GetAsync(http, $"/subjects/{subject}/versions?deleted=true"), 404, 40401);
    }

    [Fact]
    public async Task Schema_references_resolve_and_protect_the_referenced_version()
    {
        using var http = _server.Http();
        var (addressSubject, customerSubject) = (TestSchemas.Subject("address"), TestSchemas.Subject("customer"));
        var address = """{"type":"record","name":"Address","namespace":"com.example","fields":[{"name":"city","type":"string"}]}""";
        await PostAsync(http, $"/subjects/{addressSubject}/versions", SchemaBody(address));

        var customer = new JsonObject
        {
            ["schema"] = """{"type":"record","name":"Customer","namespace":"com.example","fields":[{"name":"address","type":"com.example.Address"}]}""",
            ["references"] = new JsonArray(new JsonObject { ["name"] = "com.example.Address", ["subject"] = addressSubject, ["version"] = 1 }),
        };
        var registered = await PostAsync(http, $"/subjects/{customerSubject}/versions", Body(customer));
        Assert.Equal(200, registered.Status);
        var customerId = (int)registered.Body!["id"]!;

        var byId = (await GetAsync(http, $"/schemas/ids/{customerId}")).Body!;
        Assert.Equal(addressSubject, (string?)byId["references"]![0]!["subject"]);
        Assert.Equal($"[{customerId}]", (await GetAsync(http, $"/subjects/{addressSubject}/versions/1/referencedby")).Body!.ToJsonString());
        AssertError(await DeleteAsync(http, $"/subjects/{addressSubject}/versions/1"), 422, 42206);

        var missing = new JsonObject
        {
            ["schema"] = customer["schema"]!.GetValue<string>(),
            ["references"] = new JsonArray(new JsonObject { ["name"] = "com.example.Address", ["subject"] = addressSubject, ["version"] = 9 }),
        };
        AssertError(await PostAsync(http, $"/subjects/{TestSchemas.Subject()}/versions", Body(missing)), 422, 42201);
    }

    [Fact]
    public async Task A_reference_to_version_minus_1_is_pinned_to_the_latest_version_as_versions_minus_1_answers()
    {
        using var http = _server.Http();
        var (addressSubject, customerSubject) = (TestSchemas.Subject("address"), TestSchemas.Subject("customer"));
        await PostAsync(http, $"/subjects/{addressSubject}/versions", SchemaBody("""{"type":"record","name":"Address","namespace":"com.example","fields":[{"name":"city","type":"string"}]}"""));
        await PostAsync(http, $"/subjects/{addressSubject}/versions", SchemaBody("""{"type":"record","name":"Address","namespace":"com.example","fields":[{"name":"city","type":"string"},{"name":"zip","type":"string","default":""}]}"""));
        Assert.Equal(2, (int)(await GetAsync(http, $"/subjects/{addressSubject}/versions/-1")).Body!["version"]!);

        var customer = new JsonObject
        {
            ["schema"] = """{"type":"record","name":"Customer","namespace":"com.example","fields":[{"name":"address","type":"com.example.Address"}]}""",
            ["references"] = new JsonArray(new JsonObject { ["name"] = "com.example.Address", ["subject"] = addressSubject, ["version"] = -1 }),
        };
        var registered = await PostAsync(http, $"/subjects/{customerSubject}/versions", Body(customer));
        Assert.Equal(200, registered.Status);
        var customerId = (int)registered.Body!["id"]!;

        var stored = (await GetAsync(http, $"/subjects/{customerSubject}/versions/1")).Body!;
        Assert.Equal(2, (int)stored["references"]![0]!["version"]!);
        Assert.Equal($"[{customerId}]", (await GetAsync(http, $"/subjects/{addressSubject}/versions/2/referencedby")).Body!.ToJsonString());
        Assert.Equal("[]", (await GetAsync(http, $"/subjects/{addressSubject}/versions/1/referencedby")).Body!.ToJsonString());
        AssertError(await DeleteAsync(http, $"/subjects/{addressSubject}/versions/2"), 422, 42206);
    }

    [Fact]
    public async Task Schema_id_endpoints_list_types_versions_subjects_and_the_raw_schema()
    {
        using var http = _server.Http();
        var (a, b) = (TestSchemas.Subject(), TestSchemas.Subject());
        var schema = TestSchemas.Distinct();
        var id = (int)(await PostAsync(http, $"/subjects/{a}/versions", SchemaBody(schema))).Body!["id"]!;
        await PostAsync(http, $"/subjects/{b}/versions", SchemaBody(schema));

        Assert.Equal("[\"AVRO\",\"JSON\",\"PROTOBUF\"]", (await GetAsync(http, "/schemas/types")).Body!.ToJsonString());
        var subjects = (await GetAsync(http, $"/schemas/ids/{id}/subjects")).Body!.AsArray().Select(s => (string?)s).ToList();
        Assert.Equal(new[] { a, b }.Order(StringComparer.Ordinal), subjects);
        Assert.Equal(2, (await GetAsync(http, $"/schemas/ids/{id}/versions")).Body!.AsArray().Count);
        using var raw = await http.GetAsync($"/schemas/ids/{id}/schema");
        Assert.Equal(JsonNode.Parse(schema)!.ToJsonString(), JsonNode.Parse(await raw.Content.ReadAsStringAsync())!.ToJsonString());
        using var rawVersion = await http.GetAsync($"/subjects/{a}/versions/latest/schema");
        Assert.Equal(JsonNode.Parse(schema)!.ToJsonString(), JsonNode.Parse(await rawVersion.Content.ReadAsStringAsync())!.ToJsonString());
    }

    [Fact]
    public async Task Verbose_compatibility_lists_the_reasons_and_409_carries_them()
    {
        using var http = _server.Http();
        var subject = TestSchemas.Subject();
        await PostAsync(http, $"/subjects/{subject}/versions", SchemaBody(TestSchemas.User));

        var verbose = (await PostAsync(http, $"/compatibility/subjects/{subject}/versions/latest?verbose=true", SchemaBody(TestSchemas.UserWithRequiredEmail))).Body!;
        Assert.False((bool)verbose["is_compatible"]!);
        Assert.Contains(verbose["messages"]!.AsArray(), m => ((string?)m)!.Contains("/fields/email", StringComparison.Ordinal));
        var quiet = (await PostAsync(http, $"/compatibility/subjects/{subject}/versions/1", SchemaBody(TestSchemas.UserWithEmail))).Body!;
        Assert.True((bool)quiet["is_compatible"]!);
        Assert.Null(quiet["messages"]);
        Assert.True((bool)(await PostAsync(http, $"/compatibility/subjects/{TestSchemas.Subject()}/versions/latest", SchemaBody(TestSchemas.User))).Body!["is_compatible"]!);

        var refused = await PostAsync(http, $"/subjects/{subject}/versions", SchemaBody(TestSchemas.UserWithRequiredEmail));
        AssertError(refused, 409, 409);
        Assert.Contains("READER_FIELD_MISSING_DEFAULT_VALUE", (string)refused.Body!["message"]!, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Subject_config_falls_back_to_global_and_can_be_deleted()
    {
        using var http = _server.Http();
        var subject = TestSchemas.Subject();
        AssertError(await GetAsync(http, $"/config/{subject}"), 404, 40408);
        Assert.Equal("BACKWARD", (string?)(await GetAsync(http, $"/config/{subject}?defaultToGlobal=true")).Body!["compatibilityLevel"]);
        Assert.Equal("FULL_TRANSITIVE", (string?)(await PutAsync(http, $"/config/{subject}", Body(new JsonObject { ["compatibility"] = "FULL_TRANSITIVE" }))).Body!["compatibility"]);
        Assert.Equal("FULL_TRANSITIVE", (string?)(await GetAsync(http, $"/config/{subject}")).Body!["compatibilityLevel"]);
        Assert.Equal("FULL_TRANSITIVE", (string?)(await DeleteAsync(http, $"/config/{subject}")).Body!["compatibilityLevel"]);
        AssertError(await GetAsync(http, $"/config/{subject}"), 404, 40408);
    }

    [Fact]
    public async Task Read_only_mode_refuses_writes_and_import_mode_keeps_given_ids()
    {
        using var http = _server.Http();
        var subject = TestSchemas.Subject();
        Assert.Equal("READWRITE", (string?)(await GetAsync(http, "/mode")).Body!["mode"]);
        Assert.Equal("READONLY", (string?)(await PutAsync(http, $"/mode/{subject}", Body(new JsonObject { ["mode"] = "READONLY" }))).Body!["mode"]);
        AssertError(await PostAsync(http, $"/subjects/{subject}/versions", SchemaBody(TestSchemas.User)), 422, 42205);

        await PutAsync(http, $"/mode/{subject}", Body(new JsonObject { ["mode"] = "IMPORT" }));
        var imported = new JsonObject { ["schema"] = TestSchemas.Distinct(), ["id"] = 900_001, ["version"] = 5 };
        var response = (await PostAsync(http, $"/subjects/{subject}/versions", Body(imported))).Body!;
        Assert.Equal((900_001, 5), ((int)response["id"]!, (int)response["version"]!));
        Assert.Equal(200, (await GetAsync(http, "/schemas/ids/900001")).Status);
        Assert.Equal("IMPORT", (string?)(await DeleteAsync(http, $"/mode/{subject}")).Body!["mode"]);
    }

    [Fact]
    public async Task Root_and_health_answer()
    {
        using var http = _server.Http();
        Assert.Equal("{}", (await GetAsync(http, "/")).Body!.ToJsonString());
        Assert.Equal(200, (await GetAsync(http, "/health")).Status);
    }
}
