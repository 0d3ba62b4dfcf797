using System.Text.Json.Nodes;

namespace Streams.Registry.Api;

/// <summary>/schemas: by global id (what deserializers call for every new id they see), by guid, and the type list.</summary>
internal static class SchemasEndpoints
{
    public static void MapSchemas(this IEndpointRouteBuilder app)
    {
        app.MapGet("/schemas/ids/{id:int}", (int id, SchemaRegistry registry) =>
            RegistryJson.Ok(RegistryJson.AddSchema([], registry.SchemaById(id))));

        app.MapGet("/schemas/ids/{id:int}/schema", (int id, SchemaRegistry registry) =>
            RegistryJson.Text(registry.SchemaById(id).Schema));

        app.MapGet("/schemas/ids/{id:int}/versions", (int id, HttpRequest request, SchemaRegistry registry) =>
            RegistryJson.Ok(new JsonArray([.. registry.VersionsUsing(id, RegistryJson.Flag(request, "deleted"))
                .Select(v => (JsonNode)new JsonObject { ["subject"] = v.Subject, ["version"] = v.Version })])));

        app.MapGet("/schemas/ids/{id:int}/subjects", (int id, HttpRequest request, SchemaRegistry registry) =>
            RegistryJson.Ok(RegistryJson.Array(registry.VersionsUsing(id, RegistryJson.Flag(request, "deleted")).Select(v => v.Subject).Distinct())));

        app.MapGet("/schemas/guids/{guid}", (string guid, SchemaRegistry registry) =>
            RegistryJson.Ok(RegistryJson.AddSchema([], registry.SchemaByGuid(guid))));

        // Only what is implemented: JSON and PROTOBUF registrations are refused with 42201.
        app.MapGet("/schemas/types", () => RegistryJson.Ok(RegistryJson.Array(["AVRO", "JSON"])));
    }
}
