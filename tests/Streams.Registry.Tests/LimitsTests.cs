using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Streams.Registry.Hosting;
using Streams.Registry.Tests.Support;
using static Streams.Registry.Tests.Support.RegistryHttp;

namespace Streams.Registry.Tests;

/// <summary>Bounds a hostile client reaches: ids and versions at int.MaxValue, oversized bodies; and the start-up warnings.</summary>
public sealed class LimitsTests
{
    [Fact]
    public async Task Ids_and_versions_imported_at_int_max_value_refuse_the_next_registration_instead_of_wrapping_negative()
    {
        await using var server = await RegistryServer.StartAsync();
        using var http = server.Http();
        var (imported, other) = (TestSchemas.Subject("imported"), TestSchemas.Subject("other"));
        Assert.Equal(200, (await PutAsync(http, $"/mode/{imported}", Body(new JsonObject { ["mode"] = "IMPORT" }))).Status);
        var top = await PostAsync(http, $"/subjects/{imported}/versions", Body(new JsonObject { ["schema"] = TestSchemas.User, ["id"] = int.MaxValue, ["version"] = int.MaxValue }));
        Assert.Equal(200, top.Status);
        Assert.Equal((int.MaxValue, int.MaxValue), ((int)top.Body!["id"]!, (int)top.Body["version"]!));

        // Beyond 32 bits, or not a number: refused as a bad request body, never a 500.
        AssertError(await PostAsync(http, $"/subjects/{imported}/versions", Body(new JsonObject { ["schema"] = TestSchemas.Distinct(), ["id"] = 3_000_000_000L, ["version"] = 1 })), 422, 422);
        AssertError(await PostAsync(http, $"/subjects/{imported}/versions", Body(new JsonObject { ["schema"] = TestSchemas.Distinct(), ["id"] = "one", ["version"] = 1 })), 422, 422);

        Assert.Equal(200, (await PutAsync(http, $"/mode/{imported}", Body(new JsonObject { ["mode"] = "READWRITE" }))).Status);
        Assert.Equal(200, (await PutAsync(http, $"/config/{imported}", Body(new JsonObject { ["compatibility"] = "NONE" }))).Status);

        // No id is left after int.MaxValue: a new schema anywhere is refused (42205), not given id -2147483648.
        var noId = await PostAsync(http, $"/subjects/{other}/versions", SchemaBody(TestSchemas.Distinct()));
        AssertError(noId, 422, 42205);
        Assert.Contains("id", (string)noId.Body!["message"]!, StringComparison.Ordinal);

        // A schema that already has an id needs none, but the subject has no version after int.MaxValue (42202).
        var third = TestSchemas.Subject("third");
        Assert.Equal(200, (await PutAsync(http, $"/mode/{third}", Body(new JsonObject { ["mode"] = "IMPORT" }))).Status);
        Assert.Equal(200, (await PostAsync(http, $"/subjects/{third}/versions", Body(new JsonObject { ["schema"] = TestSchemas.UserWithEmail, ["id"] = 5, ["version"] = 1 }))).Status);
        var noVersion = await PostAsync(http, $"/subjects/{imported}/versions", SchemaBody(TestSchemas.UserWithEmail));
        AssertError(noVersion, 422, 42202);
        Assert.Contains("version", (string)noVersion.Body!["message"]!, StringComparison.Ordinal);

        Assert.All((await GetAsync(http, $"/subjects/{imported}/versions")).Body!.AsArray(), v => Assert.True((int)v! > 0));
    }

    [Fact]
    public async Task A_body_over_the_configured_limit_is_413_with_a_confluent_error_body_and_nothing_is_stored()
    {
        await using var server = await RegistryServer.StartAsync(o => o.MaxRequestBodyBytes = 64 * 1024);
        using var http = server.Http();
        var subject = TestSchemas.Subject();
        var padded = new JsonObject { ["schema"] = TestSchemas.User, ["padding"] = new string('x', 100 * 1024) };
        var tooLarge = await PostAsync(http, $"/subjects/{subject}/versions", Body(padded));
        AssertError(tooLarge, 413, 413);

        // Without a Content-Length (chunked), the limit applies while reading.
        using var chunked = new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes(padded.ToJsonString())));
        chunked.Headers.ContentType = new MediaTypeHeaderValue(MediaType);
        using (var request = new HttpRequestMessage(HttpMethod.Post, $"/subjects/{subject}/versions") { Content = chunked })
        {
            request.Headers.TransferEncodingChunked = true;
            using var response = await http.SendAsync(request);
            Assert.Equal(413, (int)response.StatusCode);
            Assert.Equal(413, (int)JsonNode.Parse(await response.Content.ReadAsStringAsync())!["error_code"]!);
        }

        AssertError(await GetAsync(http, $"/subjects/{subject}/versions?deleted=true"), 404, 40401);
        Assert.Equal(200, (await PostAsync(http, $"/subjects/{subject}/versions", SchemaBody(TestSchemas.User))).Status);
    }

    [Fact]
    public void The_body_limit_defaults_to_16_MiB_and_must_be_positive()
    {
        Assert.Equal(16L * 1024 * 1024, new SchemaRegistryOptions().MaxRequestBodyBytes);
        var validator = new SchemaRegistryOptionsValidator();
        var options = new SchemaRegistryOptions { KafkaBootstrapServers = "localhost:9092", MaxRequestBodyBytes = 0 };
        var result = validator.Validate(null, options);
        Assert.True(result.Failed);
        Assert.Contains("MaxRequestBodyBytes", result.FailureMessage, StringComparison.Ordinal);
        options.MaxRequestBodyBytes = 1024;
        Assert.True(validator.Validate(null, options).Succeeded);
    }

    [Fact]
    public async Task Basic_auth_over_an_unauthenticated_kafka_connection_is_warned_about_at_start()
    {
        using var logs = new CapturedLogs();
        await using (var server = await RegistryServer.StartAsync(o => (o.BasicAuthUser, o.BasicAuthPassword) = ("alice", "s3cret"), logs.Factory))
        {
            var warning = Assert.Single(logs.At(LogLevel.Warning), m => m.Contains("basic authentication", StringComparison.Ordinal));
            Assert.Contains("_schemas", warning, StringComparison.Ordinal);
        }

        logs.Clear();
        await using (var open = await RegistryServer.StartAsync(loggerFactory: logs.Factory))
        {
            Assert.DoesNotContain(logs.At(LogLevel.Warning), m => m.Contains("basic authentication", StringComparison.Ordinal));
        }
    }
}
