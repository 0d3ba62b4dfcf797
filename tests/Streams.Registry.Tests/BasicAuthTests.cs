using System.Net.Http.Headers;
using System.Text;
using Confluent.SchemaRegistry;
using Streams.Registry.Tests.Support;
using static Streams.Registry.Tests.Support.RegistryHttp;

namespace Streams.Registry.Tests;

/// <summary>Basic authentication: off by default (every other test), required once a user is configured.</summary>
public sealed class BasicAuthTests
{
    [Fact]
    public async Task Requests_need_the_configured_user()
    {
        await using var server = await RegistryServer.StartAsync(o => (o.BasicAuthUser, o.BasicAuthPassword) = ("alice", "s3cret"));
        using (var anonymous = server.Http())
        {
            AssertError(await GetAsync(anonymous, "/subjects"), 401, 401);
        }

        using (var wrong = server.Http())
        {
            wrong.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes("alice:nope")));
            AssertError(await GetAsync(wrong, "/subjects"), 401, 401);
        }

        using var client = server.Client(c => c.BasicAuthUserInfo = "alice:s3cret");
        Assert.True(await client.RegisterSchemaAsync(TestSchemas.Subject(), new Schema(TestSchemas.User, SchemaType.Avro)) > 0);
    }
}
