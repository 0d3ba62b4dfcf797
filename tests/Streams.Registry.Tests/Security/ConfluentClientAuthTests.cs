using Confluent.SchemaRegistry;
using Level = Confluent.SchemaRegistry.Compatibility;
using Streams.Registry.Tests.Support;
using static Streams.Registry.Tests.Support.TestSchemas;

namespace Streams.Registry.Tests.Security;

/// <summary>Confluent's CachedSchemaRegistryClient with <c>basic.auth.user.info</c>, for each role.</summary>
public sealed class ConfluentClientAuthTests(SecuredRegistry registry) : IClassFixture<SecuredRegistry>
{
    [Fact]
    public async Task Read_only_user_reads_and_is_refused_registration_with_40301()
    {
        var subject = Subject("ro");
        using (var admin = registry.Client(SecuredRegistry.Admin))
        {
            await admin.RegisterSchemaAsync(subject, new Schema(User, SchemaType.Avro));
        }

        using var reader = registry.Client(SecuredRegistry.ReadOnly);
        Assert.Contains(subject, await reader.GetAllSubjectsAsync());
        Assert.Equal(1, (await reader.GetLatestSchemaAsync(subject)).Version);

        var refused = await Assert.ThrowsAsync<SchemaRegistryException>(() => reader.RegisterSchemaAsync(subject, new Schema(UserWithEmail, SchemaType.Avro)));
        Assert.Equal((403, 40301), ((int)refused.Status, refused.ErrorCode));
        await Assert.ThrowsAsync<SchemaRegistryException>(() => reader.IsCompatibleAsync(subject, new Schema(UserWithEmail, SchemaType.Avro)));
        Assert.Equal([1], await reader.GetSubjectVersionsAsync(subject));
    }

    [Fact]
    public async Task Developer_registers_and_checks_but_cannot_change_compatibility()
    {
        var subject = Subject("dev");
        using var developer = registry.Client(SecuredRegistry.Developer);
        var id = await developer.RegisterSchemaAsync(subject, new Schema(User, SchemaType.Avro));
        Assert.Equal(id, (await developer.LookupSchemaAsync(subject, new Schema(User, SchemaType.Avro), ignoreDeletedSchemas: true)).Id);
        Assert.True(await developer.IsCompatibleAsync(subject, new Schema(UserWithEmail, SchemaType.Avro)));

        var config = await Assert.ThrowsAsync<SchemaRegistryException>(() => developer.UpdateCompatibilityAsync(Level.None, subject));
        Assert.Equal(40301, config.ErrorCode);
        var global = await Assert.ThrowsAsync<SchemaRegistryException>(() => developer.UpdateCompatibilityAsync(Level.None));
        Assert.Equal(40301, global.ErrorCode);
        Assert.Equal([1], await developer.GetSubjectVersionsAsync(subject));
    }

    [Fact]
    public async Task Admin_registers_and_changes_compatibility()
    {
        var subject = Subject("adm");
        using var admin = registry.Client(SecuredRegistry.Admin);
        await admin.RegisterSchemaAsync(subject, new Schema(User, SchemaType.Avro));
        Assert.Equal(Level.Full, await admin.UpdateCompatibilityAsync(Level.Full, subject));
        Assert.Equal(Level.Full, await admin.GetCompatibilityAsync(subject));
        Assert.Equal(2, (await admin.RegisterSchemaWithResponseAsync(subject, new Schema(UserWithEmail, SchemaType.Avro))).Version);
    }

    [Fact]
    public async Task Wrong_password_is_401_through_the_client()
    {
        using var client = registry.Client((SecuredRegistry.Developer.Name, "not-it"));
        var refused = await Assert.ThrowsAsync<SchemaRegistryException>(() => client.GetAllSubjectsAsync());
        Assert.Equal(401, (int)refused.Status);
    }
}
