using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Streams.Registry.Tests.Support;
using static Streams.Registry.Tests.Support.RegistryHttp;
using static Streams.Registry.Tests.Support.TestSchemas;

namespace Streams.Registry.Tests.Security;

/// <summary>Raw HTTP against a registry with users of each role: the codes, headers and bodies, and the audit log.</summary>
public sealed class RoleAccessTests(SecuredRegistry registry) : IClassFixture<SecuredRegistry>
{
    [Fact]
    public async Task No_credentials_is_401_with_a_basic_challenge_naming_the_realm()
    {
        using var http = registry.Server.Http();
        using var response = await http.GetAsync("/subjects");

        Assert.Equal(401, (int)response.StatusCode);
        var challenge = Assert.Single(response.Headers.WwwAuthenticate);
        Assert.Equal("Basic", challenge.Scheme);
        Assert.Equal("realm=\"Streams-Test\"", challenge.Parameter);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal(401, (int)body["error_code"]!);
    }

    [Theory]
    [InlineData("alice:wrong")]
    [InlineData("nobody:alice-secret")]
    [InlineData("alice")]
    [InlineData("")]
    public async Task Wrong_or_malformed_credentials_are_401(string userInfo)
    {
        using var http = registry.Server.Http();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(userInfo)));
        AssertError(await GetAsync(http, "/subjects"), 401, 401);
    }

    [Fact]
    public async Task Credentials_that_are_not_base64_are_401()
    {
        using var http = registry.Server.Http();
        http.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", "Basic not*base64");
        AssertError(await GetAsync(http, "/subjects"), 401, 401);
    }

    [Fact]
    public async Task Read_only_reads_but_every_write_is_403_40301_and_changes_nothing()
    {
        var subject = Subject("ro");
        int id;
        using (var admin = registry.Http(SecuredRegistry.Admin))
        {
            var registered = await PostAsync(admin, $"/subjects/{subject}/versions", SchemaBody(User));
            Assert.Equal(200, registered.Status);
            id = (int)registered.Body!["id"]!;
        }

        using var reader = registry.Http(SecuredRegistry.ReadOnly);
        Assert.Equal(200, (await GetAsync(reader, "/subjects")).Status);
        Assert.Equal(200, (await GetAsync(reader, $"/subjects/{subject}/versions/latest")).Status);
        Assert.Equal(200, (await GetAsync(reader, "/config")).Status);
        Assert.Equal(200, (await GetAsync(reader, $"/schemas/ids/{id}")).Status);
        var refused = await PostAsync(reader, $"/subjects/{subject}/versions", SchemaBody(UserWithEmail));
        AssertError(refused, 403, 40301);
        Assert.StartsWith("User is denied operation Write on Subject: " + subject, (string)refused.Body!["message"]!, StringComparison.Ordinal);
        AssertError(await PostAsync(reader, $"/subjects/{subject}", SchemaBody(User)), 403, 40301);
        AssertError(await PostAsync(reader, $"/compatibility/subjects/{subject}/versions/latest", SchemaBody(UserWithEmail)), 403, 40301);
        AssertError(await PutAsync(reader, $"/config/{subject}", Body(new JsonObject { ["compatibility"] = "NONE" })), 403, 40301);
        AssertError(await DeleteAsync(reader, $"/subjects/{subject}"), 403, 40301);

        var versions = await GetAsync(reader, $"/subjects/{subject}/versions");
        Assert.Equal("[1]", versions.Body!.ToJsonString());
    }

    [Fact]
    public async Task Developer_registers_looks_up_and_checks_but_cannot_configure_or_delete()
    {
        var subject = Subject("dev");
        using var developer = registry.Http(SecuredRegistry.Developer);
        var registered = await PostAsync(developer, $"/subjects/{subject}/versions", SchemaBody(User));
        Assert.Equal(200, registered.Status);
        var lookup = await PostAsync(developer, $"/subjects/{subject}", SchemaBody(User));
        Assert.Equal((200, 1), (lookup.Status, (int)lookup.Body!["version"]!));
        var check = await PostAsync(developer, $"/compatibility/subjects/{subject}/versions/latest", SchemaBody(UserWithEmail));
        Assert.Equal((200, true), (check.Status, (bool)check.Body!["is_compatible"]!));
        Assert.Equal(200, (await PostAsync(developer, $"/compatibility/subjects/{subject}/versions", SchemaBody(UserWithEmail))).Status);

        var config = await PutAsync(developer, $"/config/{subject}", Body(new JsonObject { ["compatibility"] = "NONE" }));
        AssertError(config, 403, 40301);
        Assert.Equal($"User is denied operation AlterConfigs on Subject: {subject}", (string)config.Body!["message"]!);
        AssertError(await PutAsync(developer, "/config", Body(new JsonObject { ["compatibility"] = "NONE" })), 403, 40301);
        AssertError(await PutAsync(developer, "/mode", Body(new JsonObject { ["mode"] = "IMPORT" })), 403, 40301);
        AssertError(await DeleteAsync(developer, $"/subjects/{subject}/versions/1"), 403, 40301);
        AssertError(await DeleteAsync(developer, $"/subjects/{subject}"), 403, 40301);
        AssertError(await DeleteAsync(developer, $"/config/{subject}"), 403, 40301);

        using var reader = registry.Http(SecuredRegistry.ReadOnly);
        Assert.Equal("[1]", (await GetAsync(reader, $"/subjects/{subject}/versions")).Body!.ToJsonString());
    }

    [Fact]
    public async Task Admin_configures_sets_modes_and_deletes()
    {
        var subject = Subject("adm");
        using var admin = registry.Http(SecuredRegistry.Admin);
        Assert.Equal(200, (await PostAsync(admin, $"/subjects/{subject}/versions", SchemaBody(User))).Status);
        Assert.Equal(200, (await PutAsync(admin, $"/config/{subject}", Body(new JsonObject { ["compatibility"] = "FULL" }))).Status);
        Assert.Equal(200, (await PutAsync(admin, $"/mode/{subject}", Body(new JsonObject { ["mode"] = "READONLY" }))).Status);
        Assert.Equal(200, (await DeleteAsync(admin, $"/mode/{subject}")).Status);
        Assert.Equal(200, (await DeleteAsync(admin, $"/config/{subject}")).Status);
        Assert.Equal(200, (await DeleteAsync(admin, $"/subjects/{subject}")).Status);
        Assert.Equal(200, (await DeleteAsync(admin, $"/subjects/{subject}?permanent=true")).Status);
        Assert.Equal(404, (await GetAsync(admin, $"/subjects/{subject}/versions")).Status);
    }

    [Fact]
    public async Task Every_refusal_is_audited_with_user_request_and_client_address()
    {
        var subject = Subject("audit");
        using (var reader = registry.Http(SecuredRegistry.ReadOnly))
        {
            AssertError(await DeleteAsync(reader, $"/subjects/{subject}"), 403, 40301);
        }

        using (var stranger = registry.Server.Http())
        {
            stranger.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"mallory-{subject}:guess")));
            AssertError(await GetAsync(stranger, "/subjects"), 401, 401);
        }

        var warnings = registry.Logs.At(LogLevel.Warning).ToList();
        var denied = Assert.Single(warnings, m => m.Contains($"DELETE /subjects/{subject}", StringComparison.Ordinal));
        Assert.Contains("user rita (role read-only)", denied, StringComparison.Ordinal);
        Assert.Contains("from 127.0.0.1", denied, StringComparison.Ordinal);
        Assert.Contains("needs role admin", denied, StringComparison.Ordinal);
        var unauthenticated = Assert.Single(warnings, m => m.Contains($"mallory-{subject}", StringComparison.Ordinal));
        Assert.Contains("authentication failed", unauthenticated, StringComparison.Ordinal);
        Assert.Contains("GET /subjects from 127.0.0.1", unauthenticated, StringComparison.Ordinal);
        Assert.DoesNotContain(warnings, m => m.Contains("guess", StringComparison.Ordinal));
    }
}
