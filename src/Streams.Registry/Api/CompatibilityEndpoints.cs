using System.Text.Json.Nodes;

namespace Streams.Registry.Api;

/// <summary>/compatibility: would this schema be accepted? <c>verbose=true</c> adds the reasons.</summary>
internal static class CompatibilityEndpoints
{
    public static void MapCompatibility(this IEndpointRouteBuilder app)
    {
        app.MapPost("/compatibility/subjects/{subject}/versions/{version}", (string subject, string version, HttpRequest request, SchemaRegistry registry) =>
            TestAsync(RegistryJson.Subject(subject), version, request, registry));

        // Without a version: against the versions the subject's level names (all of them when transitive).
        app.MapPost("/compatibility/subjects/{subject}/versions", (string subject, HttpRequest request, SchemaRegistry registry) =>
            TestAsync(RegistryJson.Subject(subject), null, request, registry));
    }

    private static async Task<IResult> TestAsync(string subject, string? version, HttpRequest request, SchemaRegistry registry)
    {
        var schema = await RegistryJson.ReadSchemaRequestAsync(request).ConfigureAwait(false);
        var problems = registry.TestCompatibility(subject, version, schema, RegistryJson.Flag(request, "normalize"));
        var body = new JsonObject { ["is_compatible"] = problems.Count == 0 };
        if (RegistryJson.Flag(request, "verbose"))
        {
            body["messages"] = RegistryJson.Array(problems);
        }

        return RegistryJson.Ok(body);
    }
}
