using System.Text.Json.Nodes;

namespace Streams.Registry.Api;

/// <summary>/schemas: by global id (what deserializers call for every new id they see), by guid, and the type list.</summary>
internal static class SchemasEndpoints
{
    public static void MapSchemas(this IEndpointRouteBuilder app)
    {
        app.MapGet("/schemas/ids/{id:int}", (int id, HttpRequest request, SchemaRegistry registry) =>
            RegistryJson.Ok(RegistryJson.AddSchema([], registry.InFormat(registry.SchemaById(id), RegistryJson.Format(request)))));

        app.MapGet("/schemas/ids/{id:int}/schema", (int id, HttpRequest request, SchemaRegistry registry) =>
            RegistryJson.Text(registry.InFormat(registry.SchemaById(id), RegistryJson.Format(request)).Schema));

        app.MapGet("/schemas/ids/{id:int}/versions", (int id, HttpRequest request, SchemaRegistry registry) =>
            RegistryJson.Ok(new JsonArray([.. registry.VersionsUsing(id, RegistryJson.Flag(request, "deleted"))
                .Select(v => (JsonNode)new JsonObject { ["subject"] = v.Subject, ["version"] = v.Version })])));

        app.MapGet("/schemas/ids/{id:int}/subjects", (int id, HttpRequest request, SchemaRegistry registry) =>
            RegistryJson.Ok(RegistryJson.Array(registry.VersionsUsing(id, RegistryJson.Flag(request, "deleted")).Select(v => v.Subject).Distinct())));

        app.MapGet("/schemas/guids/{guid}", (string guid, HttpRequest request, SchemaRegistry registry) =>
            RegistryJson.Ok(RegistryJson.AddSchema([], registry.InFormat(registry.SchemaByGuid(guid), RegistryJson.Format(request)))));

        app.MapGet("/schemas/types", () => RegistryJson.Ok(RegistryJson.Array(["AVRO", "JSON", "PROTOBUF"])));
    }
}
