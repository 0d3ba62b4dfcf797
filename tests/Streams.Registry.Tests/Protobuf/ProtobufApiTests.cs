using System.Text.Json.Nodes;
using Streams.Registry.Tests.Support;
using static Streams.Registry.Tests.Support.RegistryHttp;

namespace Streams.Registry.Tests.Protobuf;

/// <summary>Protobuf subjects over the REST API: schemaType in answers, lookup, normalize, serialized descriptors, invalid schemas, imports as references.</summary>
public sealed class ProtobufApiTests(SharedRegistry shared) : IClassFixture<SharedRegistry>
{
    private const string Order = """
        syntax = "proto3";
        package shop;

        import "google/protobuf/timestamp.proto";

        // An order as the shop writes it.
        message Order {
          string id = 1;
          double amount = 2;
          google.protobuf.Timestamp placed = 3;
          map<string, int32> lines = 4;
          oneof payment {
            string card = 5;
            string voucher = 6;
          }
        }
        """;

    [Fact]
    public async Task A_proto_schema_registers_and_every_answer_says_protobuf()
    {
        using var http = shared.Server.Http();
        var subject = TestSchemas.Subject("proto");
        var registered = await PostAsync(http, $"/subjects/{subject}/versions", SchemaBody(Order, "PROTOBUF"));
        Assert.Equal(200, registered.Status);
        var id = (int)registered.Body!["id"]!;

        var byId = (await GetAsync(http, $"/schemas/ids/{id}")).Body!;
        Assert.Equal(("PROTOBUF", Order), ((string?)byId["schemaType"], (string?)byId["schema"]));
        var latest = (await GetAsync(http, $"/subjects/{subject}/versions/latest")).Body!;
        Assert.Equal(("PROTOBUF", id, 1), ((string?)latest["schemaType"], (int)latest["id"]!, (int)latest["version"]!));
        var lookup = await PostAsync(http, $"/subjects/{subject}", SchemaBody(Order, "PROTOBUF"));
        Assert.Equal(("PROTOBUF", id), ((string?)lookup.Body!["schemaType"], (int)lookup.Body["id"]!));
        Assert.Equal("[\"AVRO\",\"JSON\",\"PROTOBUF\"]", (await GetAsync(http, "/schemas/types")).Body!.ToJsonString());
    }

    [Fact]
    public async Task A_serialized_descriptor_is_the_same_schema_and_id_as_its_text()
    {
        using var http = shared.Server.Http();
        var subject = TestSchemas.Subject("serialized");
        var id = (int)(await PostAsync(http, $"/subjects/{subject}/versions", SchemaBody(Order, "PROTOBUF"))).Body!["id"]!;
        var serialized = (string)(await GetAsync(http, $"/schemas/ids/{id}?format=serialized")).Body!["schema"]!;
        Assert.DoesNotContain("message", serialized, StringComparison.Ordinal);

        // The descriptor is the same schema in another form: as in Confluent's registry (which compares canonical
        // forms), it is the same id under any subject, and a lookup with either form finds it.
        var other = TestSchemas.Subject("serialized");
        var fromDescriptor = await PostAsync(http, $"/subjects/{other}/versions", SchemaBody(serialized, "PROTOBUF"));
        Assert.True(fromDescriptor.Status == 200, fromDescriptor.Body?.ToJsonString());
        Assert.Equal(id, (int)fromDescriptor.Body!["id"]!);
        Assert.Equal(id, (int)(await PostAsync(http, $"/subjects/{subject}", SchemaBody(serialized, "PROTOBUF"))).Body!["id"]!);
        Assert.Equal(id, (int)(await PostAsync(http, $"/subjects/{other}", SchemaBody(Order, "PROTOBUF"))).Body!["id"]!);
        Assert.Equal(id, (int)(await PostAsync(http, $"/subjects/{other}?normalize=true", SchemaBody(Order, "PROTOBUF"))).Body!["id"]!);
        Assert.Equal("[1]", (await GetAsync(http, $"/subjects/{subject}/versions")).Body!.ToJsonString());
    }

    [Fact]
    public async Task Normalize_makes_reformatted_schemas_one()
    {
        using var http = shared.Server.Http();
        var subject = TestSchemas.Subject("norm");
        var a = "syntax = \"proto3\";\nmessage A { string x = 1; int64 y = 2; }";
        var b = "syntax=\"proto3\";\n// the same\nmessage A {\n  string x = 1;\n  int64 y = 2;\n}\n";
        var first = (int)(await PostAsync(http, $"/subjects/{subject}/versions?normalize=true", SchemaBody(a, "PROTOBUF"))).Body!["id"]!;
        var second = await PostAsync(http, $"/subjects/{subject}/versions?normalize=true", SchemaBody(b, "PROTOBUF"));
        Assert.Equal((first, 1), ((int)second.Body!["id"]!, (int)second.Body["version"]!));
        Assert.Equal("[1]", (await GetAsync(http, $"/subjects/{subject}/versions")).Body!.ToJsonString());

        // Without normalize the text is stored as given, but another layout of the same descriptor is the same schema
        // (Confluent compares canonical forms, without comments or layout); a changed field is not.
        Assert.Equal(first, (int)(await PostAsync(http, $"/subjects/{subject}", SchemaBody(b, "PROTOBUF"))).Body!["id"]!);
        var other = TestSchemas.Subject("norm");
        var plain = await PostAsync(http, $"/subjects/{other}/versions", SchemaBody(b, "PROTOBUF"));
        Assert.Equal(first, (int)plain.Body!["id"]!);
        AssertError(await PostAsync(http, $"/subjects/{subject}", SchemaBody(b.Replace("int64 y", "int32 y", StringComparison.Ordinal), "PROTOBUF")), 404, 40403);
    }

    [Theory]
    [InlineData("syntax = \"proto3\";\nmessage A { string x = 1; string y = 1; }", "line 2")]
    [InlineData("syntax = \"proto3\";\nmessage A { Missing x = 1; }", "Missing")]
    [InlineData("syntax = \"proto3\";\nmessage A { string x = 1 }", "line 2")]
    [InlineData("syntax = \"proto3\";\nimport \"nowhere.proto\";\nmessage A { string x = 1; }", "nowhere.proto")]
    [InlineData("c29tZXRoaW5n!", "line")]
    public async Task An_invalid_proto_schema_is_42201_with_the_reason(string schema, string reason)
    {
        using var http = shared.Server.Http();
        var subject = TestSchemas.Subject("bad");
        var refused = await PostAsync(http, $"/subjects/{subject}/versions", SchemaBody(schema, "PROTOBUF"));
        AssertError(refused, 422, 42201);
        Assert.Contains(reason, (string)refused.Body!["message"]!, StringComparison.Ordinal);
        Assert.Equal(404, (await GetAsync(http, $"/subjects/{subject}/versions")).Status);
    }

    [Fact]
    public async Task An_import_resolves_through_a_reference_and_its_changes_are_checked()
    {
        using var http = shared.Server.Http();
        var (addressSubject, customerSubject) = (TestSchemas.Subject("address"), TestSchemas.Subject("customer"));
        await PutAsync(http, $"/config/{addressSubject}", Body(new JsonObject { ["compatibility"] = "NONE" }));
        await PostAsync(http, $"/subjects/{addressSubject}/versions", SchemaBody("syntax = \"proto3\";\npackage geo;\nmessage Address { string city = 1; }", "PROTOBUF"));
        await PostAsync(http, $"/subjects/{addressSubject}/versions", SchemaBody("syntax = \"proto3\";\npackage geo;\nmessage Address { int32 city = 1; }", "PROTOBUF"));

        JsonObject Customer(int addressVersion, string field = "geo.Address") => new()
        {
            ["schemaType"] = "PROTOBUF",
            ["schema"] = $"syntax = \"proto3\";\nimport \"geo/address.proto\";\nmessage Customer {{ {field} address = 1; }}",
            ["references"] = new JsonArray(new JsonObject { ["name"] = "geo/address.proto", ["subject"] = addressSubject, ["version"] = addressVersion }),
        };

        var registered = await PostAsync(http, $"/subjects/{customerSubject}/versions", Body(Customer(1)));
        Assert.True(registered.Status == 200, registered.Body?.ToJsonString());
        var id = (int)registered.Body!["id"]!;
        Assert.Equal($"[{id}]", (await GetAsync(http, $"/subjects/{addressSubject}/versions/1/referencedby")).Body!.ToJsonString());
        var byId = (await GetAsync(http, $"/schemas/ids/{id}")).Body!;
        Assert.Equal(("PROTOBUF", "geo/address.proto"), ((string?)byId["schemaType"], (string?)byId["references"]![0]!["name"]));

        // Pointing the field at another type is refused under BACKWARD.
        var refused = await PostAsync(http, $"/subjects/{customerSubject}/versions", Body(Customer(2, "string")));
        AssertError(refused, 409, 409);
        Assert.Contains("FIELD_KIND_CHANGED", (string)refused.Body!["message"]!, StringComparison.Ordinal);

        var missing = Customer(1);
        missing["references"] = new JsonArray();
        var unresolved = await PostAsync(http, $"/subjects/{TestSchemas.Subject()}/versions", Body(missing));
        AssertError(unresolved, 422, 42201);
        Assert.Contains("geo/address.proto", (string)unresolved.Body!["message"]!, StringComparison.Ordinal);
    }
}
