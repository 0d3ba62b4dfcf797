using System.Text.Json;
using System.Text.Json.Nodes;
using Streams.Registry.Model;

namespace Streams.Registry.Api;

/// <summary>Confluent's media types, request bodies and response bodies.</summary>
internal static class RegistryJson
{
    /// <summary>What the registry answers with (and what Confluent's clients send).</summary>
    public const string ContentType = "application/vnd.schemaregistry.v1+json";

    private static readonly string[] AcceptedRequestTypes =
        [ContentType, "application/vnd.schemaregistry+json", "application/json", "application/octet-stream"];

    public static IResult Ok(JsonNode? body, int status = 200) => new JsonBody(body, status);

    public static IResult Text(string text) => Results.Text(text, ContentType);

    public static JsonArray Array(IEnumerable<int> items) => new([.. items.Select(i => (JsonNode)JsonValue.Create(i))]);

    public static JsonArray Array(IEnumerable<string> items) => new([.. items.Select(i => (JsonNode?)JsonValue.Create(i))]);

    /// <summary>A subject version as GET .../versions/{v}, lookup and register answer it.</summary>
    public static JsonObject Version(VersionView view)
    {
        var body = new JsonObject
        {
            ["subject"] = view.Version.Subject,
            ["version"] = view.Version.Version,
            ["id"] = view.Schema.Id,
            ["guid"] = view.Schema.Guid,
        };
        AddSchema(body, view.Schema);
        return body;
    }

    /// <summary>schemaType only when not AVRO and references only when present, as Confluent answers.</summary>
    public static JsonObject AddSchema(JsonObject body, StoredSchema schema)
    {
        if (schema.SchemaType != "AVRO")
        {
            body["schemaType"] = schema.SchemaType;
        }

        if (schema.References.Count > 0)
        {
            body["references"] = new JsonArray([.. schema.References.Select(r => new JsonObject { ["name"] = r.Name, ["subject"] = r.Subject, ["version"] = r.Version })]);
        }

        body["schema"] = schema.Schema;
        return body;
    }

    // A repeated property ({"schema": a, "schema": b}) is refused rather than read as either: see StrictJson.
    private static readonly JsonDocumentOptions StrictBody = new() { AllowDuplicateProperties = false, MaxDepth = Schemas.StrictJson.MaxDepth };

    /// <summary>Reads a JSON object body: 415 for a media type Confluent would refuse, 400 for malformed JSON.</summary>
    public static async Task<JsonObject> ReadObjectAsync(HttpRequest request)
    {
        var mediaType = request.ContentType?.Split(';')[0].Trim();
        if (!string.IsNullOrEmpty(mediaType) && !AcceptedRequestTypes.Contains(mediaType, StringComparer.OrdinalIgnoreCase))
        {
            throw new RegistryException(415, 415, $"HTTP 415 Unsupported Media Type: {mediaType}; send {ContentType} or application/json");
        }

        JsonNode? node;
        try
        {
            node = await JsonNode.ParseAsync(request.Body, documentOptions: StrictBody, cancellationToken: request.HttpContext.RequestAborted).ConfigureAwait(false);
        }
        catch (JsonException ex)
        {
            throw RegistryException.BadRequest($"Malformed JSON: {ex.Message}");
        }

        return node as JsonObject ?? throw new RegistryException(422, 422, "The request body must be a JSON object");
    }

    /// <summary>Confluent's schema object: schema, schemaType, references (and id/version in IMPORT mode).</summary>
    public static async Task<SchemaRequest> ReadSchemaRequestAsync(HttpRequest request)
    {
        var body = await ReadObjectAsync(request).ConfigureAwait(false);
        try
        {
            var references = (body["references"] as JsonArray)?
                .Select(r => new SchemaReference(
                    (string?)r?["name"] ?? throw new FormatException("a reference needs a name"),
                    (string?)r!["subject"] ?? throw new FormatException("a reference needs a subject"),
                    (int?)r!["version"] ?? throw new FormatException("a reference needs a version")))
                .ToList() ?? [];
            return new SchemaRequest((string?)body["schema"], (string?)body["schemaType"], references, (int?)body["id"] is > 0 ? (int?)body["id"] : null, (int?)body["version"] is > 0 ? (int?)body["version"] : null);
        }
        catch (Exception ex) when (ex is FormatException or InvalidOperationException)
        {
            throw new RegistryException(422, 422, $"Unrecognized request body: {ex.Message}");
        }
    }

    public static bool Flag(HttpRequest request, string name, bool defaultValue = false) =>
        request.Query.TryGetValue(name, out var value) && bool.TryParse(value.ToString(), out var flag) ? flag : defaultValue;

    /// <summary>The <c>format</c> query parameter (<c>serialized</c>: a Protobuf schema as a base64 descriptor), or null.</summary>
    public static string? Format(HttpRequest request) =>
        request.Query.TryGetValue("format", out var value) && value.ToString() is { Length: > 0 } format ? format : null;

    /// <summary>Route values arrive still percent-encoded for '/' (%2F); subjects may contain it.</summary>
    public static string Subject(string routeValue) => Uri.UnescapeDataString(routeValue);

    // Schema texts are JSON inside JSON: escape quotes as \" (as Confluent does), not \u0022.
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private sealed class JsonBody(JsonNode? body, int status) : IResult
    {
        public async Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.StatusCode = status;
            httpContext.Response.ContentType = ContentType;
            await using var writer = new Utf8JsonWriter(httpContext.Response.BodyWriter.AsStream(), WriterOptions);
            if (body is null)
            {
                writer.WriteNullValue();
            }
            else
            {
                body.WriteTo(writer);
            }

            await writer.FlushAsync(httpContext.RequestAborted).ConfigureAwait(false);
        }
    }
}
