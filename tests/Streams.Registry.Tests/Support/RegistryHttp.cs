using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Streams.Registry.Tests.Support;

/// <summary>Raw HTTP calls, for what Confluent's client never sends or hides.</summary>
public static class RegistryHttp
{
    public const string MediaType = "application/vnd.schemaregistry.v1+json";

    public static StringContent Body(JsonNode body, string mediaType = MediaType) =>
        new(body.ToJsonString(), Encoding.UTF8, new MediaTypeHeaderValue(mediaType));

    public static StringContent SchemaBody(string schema, string? schemaType = null)
    {
        var body = new JsonObject { ["schema"] = schema };
        if (schemaType is not null)
        {
            body["schemaType"] = schemaType;
        }

        return Body(body);
    }

    public static async Task<(int Status, JsonNode? Body)> SendAsync(HttpClient http, HttpMethod method, string path, HttpContent? content = null)
    {
        using var request = new HttpRequestMessage(method, path) { Content = content };
        using var response = await http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        JsonNode? body = null;
        try
        {
            body = text.Length == 0 ? null : JsonNode.Parse(text);
        }
        catch (JsonException)
        {
            body = JsonValue.Create(text);
        }

        return ((int)response.StatusCode, body);
    }

    public static Task<(int Status, JsonNode? Body)> GetAsync(HttpClient http, string path) => SendAsync(http, HttpMethod.Get, path);

    public static Task<(int Status, JsonNode? Body)> PostAsync(HttpClient http, string path, HttpContent content) => SendAsync(http, HttpMethod.Post, path, content);

    public static Task<(int Status, JsonNode? Body)> PutAsync(HttpClient http, string path, HttpContent content) => SendAsync(http, HttpMethod.Put, path, content);

    public static Task<(int Status, JsonNode? Body)> DeleteAsync(HttpClient http, string path) => SendAsync(http, HttpMethod.Delete, path);

    /// <summary>Asserts a Confluent error body with this status and code.</summary>
    public static void AssertError((int Status, JsonNode? Body) response, int status, int errorCode)
    {
        Assert.True(response.Status == status, $"expected HTTP {status}, got {response.Status}: {response.Body?.ToJsonString()}");
        Assert.Equal(errorCode, (int)response.Body!["error_code"]!);
        Assert.False(string.IsNullOrWhiteSpace((string?)response.Body["message"]));
    }
}
