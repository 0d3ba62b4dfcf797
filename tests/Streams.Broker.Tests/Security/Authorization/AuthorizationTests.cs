using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Streams.Broker.Tests.Support;
using Xunit.Abstractions;
using static Streams.Broker.Tests.Security.Authorization.SecuredBroker;

namespace Streams.Broker.Tests.Security.Authorization;

/// <summary>ACL enforcement as real Kafka clients meet it over TCP: refusals carry Kafka's codes and leave nothing behind.</summary>
public sealed class AuthorizationTests(ITestOutputHelper output)
{
    private static long EndOffset(TestBroker broker, string topic) => broker.Broker.Context.Logs.GetPartition(topic, 0)!.HighWatermark;

    private static async Task<ErrorCode> ProduceErrorAsync(string bootstrap, string topic, Action<ProducerConfig>? configure = null)
    {
        using var producer = Clients.Producer<Null, string>(bootstrap, c => { c.MessageTimeoutMs = 10_000; configure?.Invoke(c); });
        var ex = await Assert.ThrowsAsync<ProduceException<Null, string>>(() => producer.ProduceAsync(topic, new Message<Null, string> { Value = "refused" }));
        return ex.Error.Code;
    }

    /// <summary>Consumer errors (thrown or reported) until one of <paramref name="expected"/> shows up or 30 s pass.</summary>
    private static List<ErrorCode> ConsumeErrors(IConsumer<Ignore, string> consumer, ErrorCode expected)
    {
        var seen = new List<ErrorCode>();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline && !seen.Contains(expected))
        {
            try
            {
                var result = consumer.Consume(TimeSpan.FromMilliseconds(200));
                Assert.True(result is null or { IsPartitionEOF: true }, $"consumed '{result?.Message?.Value}' without permission");
            }
            catch (ConsumeException ex)
            {
                seen.Add(ex.Error.Code);
            }
        }

        return seen;
    }

    [Fact]
    public async Task Producer_without_Write_is_refused_and_the_log_end_offset_does_not_move()
    {
        await using var broker = await StartAsync(output, async (bootstrap, admin) =>
        {
            await CreateTopicsAsync(admin, "orders");
            await ProduceAsync(bootstrap, "orders", "before");
            await admin.CreateAclsAsync([Allow(ResourceType.Topic, "orders", AclOperation.Describe)]);
        });

        Assert.Equal(ErrorCode.TopicAuthorizationFailed, await ProduceErrorAsync(broker.BootstrapServers, "orders"));
        Assert.Equal(1, EndOffset(broker, "orders"));
    }

    [Fact]
    public async Task Producer_refused_for_a_topic_it_may_not_even_describe_learns_nothing_about_it()
    {
        await using var broker = await StartAsync(output, (_, admin) => CreateTopicsAsync(admin, "orders"));

        Assert.Equal(ErrorCode.TopicAuthorizationFailed, await ProduceErrorAsync(broker.BootstrapServers, "orders"));
        Assert.Equal(0, EndOffset(broker, "orders"));
        Assert.Null(broker.Broker.Context.Logs.GetTopic("never-created"));
        Assert.Equal(ErrorCode.TopicAuthorizationFailed, await ProduceErrorAsync(broker.BootstrapServers, "never-created"));
        Assert.Null(broker.Broker.Context.Logs.GetTopic("never-created"));
    }

    [Fact]
    public async Task Idempotent_producer_with_Write_on_its_topic_needs_no_cluster_IdempotentWrite()
    {
        await using var broker = await StartAsync(output, async (_, admin) =>
        {
            await CreateTopicsAsync(admin, "orders");
            await admin.CreateAclsAsync([Allow(ResourceType.Topic, "orders", AclOperation.Write)]);
        });

        using var producer = Clients.Producer<Null, string>(broker.BootstrapServers, c => c.EnableIdempotence = true);
        var delivered = await producer.ProduceAsync("orders", new Message<Null, string> { Value = "kept" });

        Assert.Equal(0, delivered.Offset.Value);
        Assert.Equal(1, EndOffset(broker, "orders"));
    }

    [Fact]
    public async Task Consumer_without_Read_on_its_group_cannot_join()
    {
        await using var broker = await StartAsync(output, async (bootstrap, admin) =>
        {
            await CreateTopicsAsync(admin, "events");
            await ProduceAsync(bootstrap, "events", "secret");
            await admin.CreateAclsAsync([Allow(ResourceType.Topic, "events", AclOperation.Read)]);
        });

        using var consumer = Clients.Consumer<Ignore, string>(broker.BootstrapServers, c => c.GroupId = "not-allowed");
        consumer.Subscribe("events");

        Assert.Contains(ErrorCode.GroupAuthorizationFailed, ConsumeErrors(consumer, ErrorCode.GroupAuthorizationFailed));
        Assert.DoesNotContain(broker.Broker.Context.Groups.ListGroups([]), g => g.GroupId == "not-allowed");
    }

    [Fact]
    public async Task Consumer_with_Read_on_topic_and_prefixed_group_consumes_and_commits()
    {
        await using var broker = await StartAsync(output, async (bootstrap, admin) =>
        {
            await CreateTopicsAsync(admin, "events");
            await ProduceAsync(bootstrap, "events", "hello");
            await admin.CreateAclsAsync([Allow(ResourceType.Topic, "events", AclOperation.Read), Allow(ResourceType.Group, "app-", AclOperation.Read, ResourcePatternType.Prefixed)]);
        });

        using var consumer = Clients.Consumer<Ignore, string>(broker.BootstrapServers, c => c.GroupId = "app-billing");
        consumer.Subscribe("events");
        var result = consumer.Consume(TimeSpan.FromSeconds(30));
        Assert.Equal("hello", result?.Message.Value);
        consumer.Commit(result);

        var committed = consumer.Committed([new TopicPartition("events", 0)], TimeSpan.FromSeconds(10));
        Assert.Equal(1, Assert.Single(committed).Offset.Value);
        consumer.Close();
    }

    [Fact]
    public async Task Describe_only_sees_the_topic_in_metadata_but_cannot_fetch()
    {
        await using var broker = await StartAsync(output, async (bootstrap, admin) =>
        {
            await CreateTopicsAsync(admin, "ledger");
            await ProduceAsync(bootstrap, "ledger", "secret");
            await admin.CreateAclsAsync([Allow(ResourceType.Topic, "ledger", AclOperation.Describe)]);
        });
        using var admin = Clients.Admin(broker.BootstrapServers);
        Assert.Contains("ledger", admin.GetMetadata(TimeSpan.FromSeconds(10)).Topics.Select(t => t.Topic));

        using var consumer = Clients.Consumer<Ignore, string>(broker.BootstrapServers);
        consumer.Assign(new TopicPartitionOffset("ledger", 0, Offset.Beginning));

        Assert.Contains(ErrorCode.TopicAuthorizationFailed, ConsumeErrors(consumer, ErrorCode.TopicAuthorizationFailed));
    }

    [Fact]
    public async Task Metadata_hides_topics_the_principal_may_not_describe()
    {
        await using var broker = await StartAsync(output, async (_, admin) =>
        {
            await CreateTopicsAsync(admin, "visible", "hidden");
            await admin.CreateAclsAsync([Allow(ResourceType.Topic, "visible", AclOperation.Read)]);
        });
        using var admin = Clients.Admin(broker.BootstrapServers);

        var all = admin.GetMetadata(TimeSpan.FromSeconds(10)).Topics.Select(t => t.Topic).ToList();
        Assert.Contains("visible", all);
        Assert.DoesNotContain("hidden", all);
        Assert.Equal(ErrorCode.TopicAuthorizationFailed, admin.GetMetadata("hidden", TimeSpan.FromSeconds(10)).Topics.Single().Error.Code);
        Assert.Equal(ErrorCode.TopicAuthorizationFailed, admin.GetMetadata("no-such-topic", TimeSpan.FromSeconds(10)).Topics.Single().Error.Code);
    }

    [Fact]
    public async Task Prefixed_acl_grants_every_topic_under_its_prefix_and_nothing_else()
    {
        await using var broker = await StartAsync(output, async (_, admin) =>
        {
            await CreateTopicsAsync(admin, "orders.eu", "orders.us", "payments");
            await admin.CreateAclsAsync([Allow(ResourceType.Topic, "orders.", AclOperation.Write, ResourcePatternType.Prefixed)]);
        });

        await ProduceAsync(broker.BootstrapServers, "orders.eu", "a");
        await ProduceAsync(broker.BootstrapServers, "orders.us", "b");
        Assert.Equal(ErrorCode.TopicAuthorizationFailed, await ProduceErrorAsync(broker.BootstrapServers, "payments"));
        Assert.Equal((1, 1, 0), (EndOffset(broker, "orders.eu"), EndOffset(broker, "orders.us"), EndOffset(broker, "payments")));
    }

    [Fact]
    public async Task Deny_beats_allow()
    {
        await using var broker = await StartAsync(output, async (_, admin) =>
        {
            await CreateTopicsAsync(admin, "open", "secret");
            await admin.CreateAclsAsync(
            [
                Allow(ResourceType.Topic, "*", AclOperation.All, principal: "User:*"),
                Deny(ResourceType.Topic, "secret", AclOperation.Write),
            ]);
        });

        await ProduceAsync(broker.BootstrapServers, "open", "a");
        Assert.Equal(ErrorCode.TopicAuthorizationFailed, await ProduceErrorAsync(broker.BootstrapServers, "secret"));
        Assert.Equal(0, EndOffset(broker, "secret"));
    }

    [Fact]
    public async Task Super_user_bypasses_a_deny_of_everything()
    {
        await using var broker = await StartAsync(output, async (_, admin) =>
        {
            await CreateTopicsAsync(admin, "orders");
            await admin.CreateAclsAsync([Deny(ResourceType.Topic, "*", AclOperation.All, principal: "User:*")]);
        }, new Dictionary<string, string> { ["super.users"] = "User:admin;" + Anonymous });

        await ProduceAsync(broker.BootstrapServers, "orders", "a");
        Assert.Equal(1, EndOffset(broker, "orders"));
    }

    [Fact]
    public async Task Allow_everyone_if_no_acl_found_opens_only_resources_without_acls()
    {
        await using var broker = await StartAsync(output, async (_, admin) =>
        {
            await CreateTopicsAsync(admin, "free", "guarded");
            await admin.CreateAclsAsync([Allow(ResourceType.Topic, "guarded", AclOperation.Write, principal: "User:bob")]);
        }, new Dictionary<string, string> { ["allow.everyone.if.no.acl.found"] = "true" });

        await ProduceAsync(broker.BootstrapServers, "free", "a");
        Assert.Equal(ErrorCode.TopicAuthorizationFailed, await ProduceErrorAsync(broker.BootstrapServers, "guarded"));
        Assert.Equal((1, 0), (EndOffset(broker, "free"), EndOffset(broker, "guarded")));
    }

    [Fact]
    public async Task Topic_creation_and_deletion_need_their_own_permissions()
    {
        await using var broker = await StartAsync(output, async (_, admin) =>
        {
            await CreateTopicsAsync(admin, "keep");
            await admin.CreateAclsAsync([Allow(ResourceType.Topic, "tmp-", AclOperation.Create, ResourcePatternType.Prefixed)]);
        });
        using var admin = Clients.Admin(broker.BootstrapServers);

        await CreateTopicsAsync(admin, "tmp-1");
        var refused = await Assert.ThrowsAsync<CreateTopicsException>(() => CreateTopicsAsync(admin, "other"));
        Assert.Equal(ErrorCode.TopicAuthorizationFailed, refused.Results.Single().Error.Code);
        var notDeleted = await Assert.ThrowsAsync<DeleteTopicsException>(() => admin.DeleteTopicsAsync(["keep"]));
        Assert.Equal(ErrorCode.TopicAuthorizationFailed, notDeleted.Results.Single().Error.Code);
        Assert.NotNull(broker.Broker.Context.Logs.GetTopic("keep"));
        Assert.Null(broker.Broker.Context.Logs.GetTopic("other"));
    }
}
