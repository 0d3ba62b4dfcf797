using System.Text.Json.Nodes;

namespace Streams.Registry.Api;

/// <summary>
/// /associations: topic-to-subject associations are not stored here, so every lookup finds none. This matters:
/// Confluent.SchemaRegistry 2.16's default subject-name strategy asks this first for every topic and falls back to
/// the topic-name strategy only on an empty list (or 404); any other answer makes every Avro serializer fail.
/// </summary>
internal static class AssociationsEndpoints
{
    public static void MapAssociations(this IEndpointRouteBuilder app)
    {
        app.MapGet("/associations/resources/{resourceNamespace}/{resourceName}", () => RegistryJson.Ok(new JsonArray()));
        app.MapGet("/associations/resources/{resourceId}", () => RegistryJson.Ok(new JsonArray()));
        app.MapGet("/associations/subjects/{subject}", () => RegistryJson.Ok(new JsonArray()));
    }
}
