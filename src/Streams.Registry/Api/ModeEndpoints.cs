using System.Text.Json.Nodes;
using Streams.Registry.Model;

namespace Streams.Registry.Api;

/// <summary>/mode: READWRITE, READONLY (writes refused with 42205) and IMPORT (registrations carry their id and version).</summary>
internal static class ModeEndpoints
{
    public static void MapMode(this IEndpointRouteBuilder app)
    {
        app.MapGet("/mode", (SchemaRegistry registry) => Mode(registry.GlobalMode));

        app.MapPut("/mode", async (HttpRequest request, SchemaRegistry registry) =>
        {
            var mode = await ReadModeAsync(request).ConfigureAwait(false);
            await registry.SetModeAsync(null, mode, RegistryJson.Flag(request, "force"), request.HttpContext.RequestAborted).ConfigureAwait(false);
            return Mode(mode);
        });

        app.MapGet("/mode/{subject}", (string subject, HttpRequest request, SchemaRegistry registry) =>
        {
            subject = RegistryJson.Subject(subject);
            var mode = registry.State.SubjectMode(subject)
                ?? (RegistryJson.Flag(request, "defaultToGlobal") ? registry.GlobalMode : throw RegistryException.SubjectLevelModeNotFound(subject));
            return Mode(mode);
        });

        app.MapPut("/mode/{subject}", async (string subject, HttpRequest request, SchemaRegistry registry) =>
        {
            var mode = await ReadModeAsync(request).ConfigureAwait(false);
            await registry.SetModeAsync(RegistryJson.Subject(subject), mode, RegistryJson.Flag(request, "force"), request.HttpContext.RequestAborted).ConfigureAwait(false);
            return Mode(mode);
        });

        app.MapDelete("/mode/{subject}", async (string subject, HttpRequest request, SchemaRegistry registry) =>
        {
            subject = RegistryJson.Subject(subject);
            var previous = registry.State.SubjectMode(subject) ?? throw RegistryException.SubjectLevelModeNotFound(subject);
            await registry.SetModeAsync(subject, null, force: true, request.HttpContext.RequestAborted).ConfigureAwait(false);
            return Mode(previous);
        });
    }

    private static IResult Mode(RegistryMode mode) => RegistryJson.Ok(new JsonObject { ["mode"] = mode.ToWireName() });

    private static async Task<RegistryMode> ReadModeAsync(HttpRequest request)
    {
        var body = await RegistryJson.ReadObjectAsync(request).ConfigureAwait(false);
        var name = body["mode"] is JsonValue v && v.TryGetValue<string>(out var s) ? s : body["mode"]?.ToJsonString();
        return RegistryModes.TryParse(name, out var mode) ? mode : throw RegistryException.InvalidMode(name);
    }
}
