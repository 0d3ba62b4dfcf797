using Confluent.SchemaRegistry;
using Level = Confluent.SchemaRegistry.Compatibility;
using Streams.Registry.Tests.Support;
using static Streams.Registry.Tests.Support.TestSchemas;

namespace Streams.Registry.Tests;

/// <summary>Every call Confluent.SchemaRegistry 2.16's CachedSchemaRegistryClient makes, against the real registry over HTTP.</summary>
public sealed class CachedClientTests(SharedRegistry shared) : IClassFixture<SharedRegistry>
{
    private readonly RegistryServer _server = shared.Server;

    [Fact]
    public async Task Register_returns_a_global_id_shared_by_subjects_and_stable_on_reregistration()
    {
        using var client = _server.Client();
        var (a, b) = (Subject(), Subject());
        var schema = Distinct();

        var id = await client.RegisterSchemaAsync(a, new Schema(schema, SchemaType.Avro));
        Assert.Equal(id, await client.RegisterSchemaAsync(b, new Schema(schema, SchemaType.Avro)));

        // A fresh client has no cache: the registry itself must answer the same id.
        using var fresh = _server.Client();
        Assert.Equal(id, await fresh.RegisterSchemaAsync(a, new Schema(schema, SchemaType.Avro)));
        Assert.Equal([1], await fresh.GetSubjectVersionsAsync(a));
        Assert.NotEqual(id, await fresh.RegisterSchemaAsync(Subject(), new Schema(Distinct(), SchemaType.Avro)));
    }

    [Fact]
    public async Task Versions_increase_per_subject_and_latest_is_the_newest()
    {
        using var client = _server.Client();
        var subject = Subject();
        var v1 = await client.RegisterSchemaWithResponseAsync(subject, new Schema(User, SchemaType.Avro));
        var v2 = await client.RegisterSchemaWithResponseAsync(subject, new Schema(UserWithEmail, SchemaType.Avro));

        Assert.Equal([1, 2], await client.GetSubjectVersionsAsync(subject));
        var latest = await client.GetLatestSchemaAsync(subject);
        Assert.Equal((2, v2.Id, subject), (latest.Version, latest.Id, latest.Subject));
        var first = await client.GetRegisteredSchemaAsync(subject, 1);
        Assert.Equal(v1.Id, first.Id);
        Assert.Contains("\"age\"", (await client.GetRegisteredSchemaAsync(subject, 1)).SchemaString, StringComparison.Ordinal);
        Assert.Contains(subject, await client.GetAllSubjectsAsync());
    }

    [Fact]
    public async Task Lookup_and_get_by_id_find_a_registered_schema()
    {
        using var client = _server.Client();
        var subject = Subject();
        var id = await client.RegisterSchemaAsync(subject, new Schema(User, SchemaType.Avro));

        using var fresh = _server.Client();
        var found = await fresh.LookupSchemaAsync(subject, new Schema(User, SchemaType.Avro), ignoreDeletedSchemas: true);
        Assert.Equal((id, 1), (found.Id, found.Version));
        Assert.Equal(id, await fresh.GetSchemaIdAsync(subject, new Schema(User, SchemaType.Avro)));
        var byId = await fresh.GetSchemaAsync(id);
        Assert.Equal(SchemaType.Avro, byId.SchemaType);
        Assert.Equal(Avro.Schema.Parse(User).ToString(), Avro.Schema.Parse(byId.SchemaString).ToString());
        Assert.NotNull(await fresh.GetSchemaBySubjectAndIdAsync(subject, id));

        var missing = await Assert.ThrowsAsync<SchemaRegistryException>(() => fresh.LookupSchemaAsync(subject, new Schema(Distinct(), SchemaType.Avro), true));
        Assert.Equal(40403, missing.ErrorCode);
        var noSubject = await Assert.ThrowsAsync<SchemaRegistryException>(() => fresh.GetLatestSchemaAsync(Subject()));
        Assert.Equal(40401, noSubject.ErrorCode);
        var noId = await Assert.ThrowsAsync<SchemaRegistryException>(() => fresh.GetSchemaAsync(int.MaxValue));
        Assert.Equal(40403, noId.ErrorCode);
    }

    [Fact]
    public async Task Compatibility_is_configurable_globally_and_per_subject_and_enforced()
    {
        using var client = _server.Client();
        var subject = Subject();
        Assert.Equal(Level.Backward, await client.GetCompatibilityAsync());
        await client.RegisterSchemaAsync(subject, new Schema(User, SchemaType.Avro));

        Assert.True(await client.IsCompatibleAsync(subject, new Schema(UserWithEmail, SchemaType.Avro)));
        Assert.False(await client.IsCompatibleAsync(subject, new Schema(UserWithRequiredEmail, SchemaType.Avro)));
        var refused = await Assert.ThrowsAsync<SchemaRegistryException>(() => client.RegisterSchemaAsync(subject, new Schema(UserWithRequiredEmail, SchemaType.Avro)));
        Assert.Equal(409, refused.ErrorCode);
        Assert.Contains("READER_FIELD_MISSING_DEFAULT_VALUE", refused.Message, StringComparison.Ordinal);

        Assert.Equal(Level.None, await client.UpdateCompatibilityAsync(Level.None, subject));
        Assert.Equal(Level.None, await client.GetCompatibilityAsync(subject));
        Assert.True(await client.RegisterSchemaAsync(subject, new Schema(UserWithRequiredEmail, SchemaType.Avro)) > 0);
        Assert.Equal(Level.Backward, await client.GetCompatibilityAsync());
    }

    [Fact]
    public async Task Associations_lookup_finds_none_so_the_topic_name_strategy_applies()
    {
        using var client = _server.Client();
        var associations = await client.GetAssociationsByResourceNameAsync("orders", "-", "topic", ["value"], null, 0, -1);
        Assert.Empty(associations);
    }
}
