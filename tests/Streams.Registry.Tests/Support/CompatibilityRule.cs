using System.Text.Json.Nodes;
using static Streams.Registry.Tests.Support.RegistryHttp;

namespace Streams.Registry.Tests.Support;

/// <summary>
/// One named compatibility case over HTTP, shared by the JSON Schema and Protobuf tables: register the first schema
/// under the level, ask whether the second may follow (verbose), then register it, which must agree.
/// </summary>
internal static class CompatibilityRule
{
    /// <summary>Runs one case; <c>expectedError</c> is null when the second schema is compatible, else the errorType Confluent names.</summary>
    public static async Task CheckAsync(RegistryServer server, string schemaType, string name, string level, string first, string second, string? expectedError)
    {
        using var http = server.Http();
        var subject = TestSchemas.Subject(name);
        Assert.Equal(200, (await PutAsync(http, $"/config/{subject}", Body(new JsonObject { ["compatibility"] = level }))).Status);
        var registered = await PostAsync(http, $"/subjects/{subject}/versions", SchemaBody(first, schemaType));
        Assert.True(registered.Status == 200, registered.Body?.ToJsonString());

        var check = await PostAsync(http, $"/compatibility/subjects/{subject}/versions/latest?verbose=true", SchemaBody(second, schemaType));
        Assert.True(check.Status == 200, check.Body?.ToJsonString());
        var messages = check.Body!["messages"]?.AsArray().Select(m => (string)m!).ToList() ?? [];
        var register = await PostAsync(http, $"/subjects/{subject}/versions", SchemaBody(second, schemaType));
        if (expectedError is null)
        {
            Assert.True((bool)check.Body["is_compatible"]!, string.Join("; ", messages));
            Assert.Equal(200, register.Status);
        }
        else
        {
            Assert.False((bool)check.Body["is_compatible"]!);
            Assert.Contains(messages, m => m.Contains($"errorType:'{expectedError}'", StringComparison.Ordinal));
            AssertError(register, 409, 409);
            Assert.Contains(expectedError, (string)register.Body!["message"]!, StringComparison.Ordinal);
        }
    }
}
