using Confluent.SchemaRegistry;
using Streams.Registry.Tests.Support;
using static Streams.Registry.Tests.Support.RegistryHttp;
using Level = Confluent.SchemaRegistry.Compatibility;

namespace Streams.Registry.Tests;

/// <summary>State lives only in _schemas: everything is back after the registry and the broker restart.</summary>
public sealed class RestartTests
{
    [Fact]
    public async Task Schemas_versions_deletions_and_configs_survive_a_restart_of_registry_and_broker()
    {
        await using var server = await RegistryServer.StartAsync();
        int userId, emailId, otherId;
        var (subject, other) = (TestSchemas.Subject(), TestSchemas.Subject());
        using (var client = server.Client())
        {
            userId = await client.RegisterSchemaAsync(subject, new Schema(TestSchemas.User, SchemaType.Avro));
            emailId = await client.RegisterSchemaAsync(subject, new Schema(TestSchemas.UserWithEmail, SchemaType.Avro));
            otherId = await client.RegisterSchemaAsync(other, new Schema(TestSchemas.Distinct(), SchemaType.Avro));
            await client.UpdateCompatibilityAsync(Level.Full, subject);
            await client.UpdateCompatibilityAsync(Level.Forward);
        }

        using (var http = server.Http())
        {
            Assert.Equal(200, (await DeleteAsync(http, $"/subjects/{subject}/versions/1")).Status);
        }

        await server.RestartAsync();

        using (var client = server.Client())
        {
            Assert.Equal([2], await client.GetSubjectVersionsAsync(subject));
            Assert.Equal(emailId, (await client.GetLatestSchemaAsync(subject)).Id);
            Assert.Equal(otherId, (await client.GetLatestSchemaAsync(other)).Id);
            Assert.NotNull(await client.GetSchemaAsync(userId));
            Assert.Equal(Level.Full, await client.GetCompatibilityAsync(subject));
            Assert.Equal(Level.Forward, await client.GetCompatibilityAsync());

            // Ids keep counting from where they were: a new schema never reuses one.
            var next = await client.RegisterSchemaAsync(TestSchemas.Subject(), new Schema(TestSchemas.Distinct(), SchemaType.Avro));
            Assert.True(next > Math.Max(otherId, emailId));
        }

        using (var http = server.Http())
        {
            var deleted = await GetAsync(http, $"/subjects/{subject}/versions?deleted=true");
            Assert.Equal("[1,2]", deleted.Body!.ToJsonString());
        }
    }

    [Fact]
    public async Task A_second_instance_sees_the_first_ones_writes_and_a_follower_refuses_writes()
    {
        await using var server = await RegistryServer.StartAsync();
        await using var second = await server.StartRegistryAsync();
        await using var follower = await server.StartRegistryAsync(o => o.ReadOnlyFollower = true);
        var subject = TestSchemas.Subject();
        using var client = server.Client();
        var id = await client.RegisterSchemaAsync(subject, new Schema(TestSchemas.User, SchemaType.Avro));

        // The other instances follow _schemas continuously, so the write shows up there shortly.
        using var followerClient = new CachedSchemaRegistryClient(new SchemaRegistryConfig { Url = follower.Url });
        var deadline = DateTime.UtcNow.AddSeconds(10);
        RegisteredSchema? seen = null;
        while (seen is null && DateTime.UtcNow < deadline)
        {
            try
            {
                seen = await followerClient.GetLatestSchemaAsync(subject);
            }
            catch (SchemaRegistryException)
            {
                await Task.Delay(50);
            }
        }

        Assert.Equal(id, seen?.Id);
        var refused = await Assert.ThrowsAsync<SchemaRegistryException>(() => followerClient.RegisterSchemaAsync(TestSchemas.Subject(), new Schema(TestSchemas.Distinct(), SchemaType.Avro)));
        Assert.Equal(42205, refused.ErrorCode);

        // Writing through the second instance also works: the log orders the two writers, ids stay unique.
        using var secondClient = new CachedSchemaRegistryClient(new SchemaRegistryConfig { Url = second.Url });
        var secondId = await secondClient.RegisterSchemaAsync(TestSchemas.Subject(), new Schema(TestSchemas.Distinct(), SchemaType.Avro));
        Assert.NotEqual(id, secondId);
    }
}
