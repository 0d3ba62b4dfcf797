using System.Text.Json.Nodes;

namespace Streams.Registry.Api;

/// <summary>/subjects: list, lookup, register, versions, delete (soft, then permanent), referencedby.</summary>
internal static class SubjectsEndpoints
{
    public static void MapSubjects(this IEndpointRouteBuilder app)
    {
        app.MapGet("/subjects", (HttpRequest request, SchemaRegistry registry) =>
        {
            var prefix = request.Query["subjectPrefix"].ToString();
            var subjects = registry.State.Subjects(RegistryJson.Flag(request, "deleted")).Where(s => s.StartsWith(prefix, StringComparison.Ordinal));
            return RegistryJson.Ok(RegistryJson.Array(subjects));
        });

        // POST /subjects/{subject}: is this schema registered under the subject? (lookup, not register)
        app.MapPost("/subjects/{subject}", async (string subject, HttpRequest request, SchemaRegistry registry) =>
        {
            var schema = await RegistryJson.ReadSchemaRequestAsync(request).ConfigureAwait(false);
            var found = registry.Lookup(RegistryJson.Subject(subject), schema, RegistryJson.Flag(request, "normalize"), RegistryJson.Flag(request, "deleted"));
            return RegistryJson.Ok(RegistryJson.Version(registry.InFormat(found, RegistryJson.Format(request))));
        });

        app.MapDelete("/subjects/{subject}", async (string subject, HttpRequest request, SchemaRegistry registry) =>
            RegistryJson.Ok(RegistryJson.Array(await registry.DeleteSubjectAsync(
                RegistryJson.Subject(subject), RegistryJson.Flag(request, "permanent"), request.HttpContext.RequestAborted).ConfigureAwait(false))));

        app.MapGet("/subjects/{subject}/versions", (string subject, HttpRequest request, SchemaRegistry registry) =>
            RegistryJson.Ok(RegistryJson.Array(registry.Versions(RegistryJson.Subject(subject), RegistryJson.Flag(request, "deleted")))));

        app.MapPost("/subjects/{subject}/versions", async (string subject, HttpRequest request, SchemaRegistry registry) =>
        {
            var schema = await RegistryJson.ReadSchemaRequestAsync(request).ConfigureAwait(false);
            var registered = await registry.RegisterAsync(
                RegistryJson.Subject(subject), schema, RegistryJson.Flag(request, "normalize"), request.HttpContext.RequestAborted).ConfigureAwait(false);
            return RegistryJson.Ok(RegistryJson.Version(registered));
        });

        app.MapGet("/subjects/{subject}/versions/{version}", (string subject, string version, HttpRequest request, SchemaRegistry registry) =>
            RegistryJson.Ok(RegistryJson.Version(registry.InFormat(registry.GetVersion(RegistryJson.Subject(subject), version, RegistryJson.Flag(request, "deleted")), RegistryJson.Format(request)))));

        // The bare schema text, not wrapped in JSON, as Confluent answers it.
        app.MapGet("/subjects/{subject}/versions/{version}/schema", (string subject, string version, HttpRequest request, SchemaRegistry registry) =>
            RegistryJson.Text(registry.InFormat(registry.GetVersion(RegistryJson.Subject(subject), version, RegistryJson.Flag(request, "deleted")), RegistryJson.Format(request)).Schema.Schema));

        app.MapDelete("/subjects/{subject}/versions/{version}", async (string subject, string version, HttpRequest request, SchemaRegistry registry) =>
            RegistryJson.Ok(JsonValue.Create(await registry.DeleteVersionAsync(
                RegistryJson.Subject(subject), version, RegistryJson.Flag(request, "permanent"), request.HttpContext.RequestAborted).ConfigureAwait(false))));

        app.MapGet("/subjects/{subject}/versions/{version}/referencedby", (string subject, string version, SchemaRegistry registry) =>
            RegistryJson.Ok(RegistryJson.Array(registry.ReferencedBy(RegistryJson.Subject(subject), version))));
    }
}
