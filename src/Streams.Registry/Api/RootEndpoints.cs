using System.Text.Json.Nodes;

namespace Streams.Registry.Api;

/// <summary>GET / (Confluent answers an empty object) and a health check, plus Confluent's 404 body for unknown paths.</summary>
internal static class RootEndpoints
{
    public static void MapRoot(this IEndpointRouteBuilder app)
    {
        app.MapGet("/", () => RegistryJson.Ok(new JsonObject()));
        app.MapGet("/health", () => RegistryJson.Ok(new JsonObject { ["status"] = "UP" }));
        app.MapFallback(() => RegistryJson.Ok(new JsonObject { ["error_code"] = 404, ["message"] = "HTTP 404 Not Found" }, 404));
    }
}
