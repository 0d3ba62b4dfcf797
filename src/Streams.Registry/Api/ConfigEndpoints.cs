using System.Text.Json.Nodes;
using Streams.Registry.Model;

namespace Streams.Registry.Api;

/// <summary>/config: the compatibility level, global and per subject. GET answers compatibilityLevel, PUT echoes compatibility.</summary>
internal static class ConfigEndpoints
{
    public static void MapConfig(this IEndpointRouteBuilder app)
    {
        app.MapGet("/config", (SchemaRegistry registry) => Level("compatibilityLevel", registry.GlobalLevel));

        app.MapPut("/config", async (HttpRequest request, SchemaRegistry registry) =>
        {
            var level = await ReadLevelAsync(request).ConfigureAwait(false);
            await registry.SetLevelAsync(null, level, request.HttpContext.RequestAborted).ConfigureAwait(false);
            return Level("compatibility", level);
        });

        // Back to the default (BACKWARD); answers the level that was in force.
        app.MapDelete("/config", async (HttpRequest request, SchemaRegistry registry) =>
        {
            var previous = registry.GlobalLevel;
            await registry.SetLevelAsync(null, null, request.HttpContext.RequestAborted).ConfigureAwait(false);
            return Level("compatibilityLevel", previous);
        });

        app.MapGet("/config/{subject}", (string subject, HttpRequest request, SchemaRegistry registry) =>
        {
            subject = RegistryJson.Subject(subject);
            var level = registry.State.SubjectLevel(subject)
                ?? (RegistryJson.Flag(request, "defaultToGlobal") ? registry.GlobalLevel : throw RegistryException.SubjectLevelConfigNotFound(subject));
            return Level("compatibilityLevel", level);
        });

        app.MapPut("/config/{subject}", async (string subject, HttpRequest request, SchemaRegistry registry) =>
        {
            var level = await ReadLevelAsync(request).ConfigureAwait(false);
            await registry.SetLevelAsync(RegistryJson.Subject(subject), level, request.HttpContext.RequestAborted).ConfigureAwait(false);
            return Level("compatibility", level);
        });

        app.MapDelete("/config/{subject}", async (string subject, HttpRequest request, SchemaRegistry registry) =>
        {
            subject = RegistryJson.Subject(subject);
            var previous = registry.State.SubjectLevel(subject) ?? throw RegistryException.SubjectLevelConfigNotFound(subject);
            await registry.SetLevelAsync(subject, null, request.HttpContext.RequestAborted).ConfigureAwait(false);
            return Level("compatibilityLevel", previous);
        });
    }

    private static IResult Level(string property, CompatibilityLevel level) => RegistryJson.Ok(new JsonObject { [property] = level.ToWireName() });

    private static async Task<CompatibilityLevel> ReadLevelAsync(HttpRequest request)
    {
        var body = await RegistryJson.ReadObjectAsync(request).ConfigureAwait(false);
        var name = body["compatibility"] is JsonValue v && v.TryGetValue<string>(out var s) ? s : body["compatibility"]?.ToJsonString();
        return CompatibilityLevels.TryParse(name, out var level) ? level : throw RegistryException.InvalidCompatibilityLevel(name);
    }
}
