using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Streams.Broker.Tests.Support;
using Xunit.Abstractions;
using static Streams.Broker.Tests.Security.Authorization.SecuredBroker;

namespace Streams.Broker.Tests.Security.Authorization;

/// <summary>Other clients and admin calls against ACLs: kcat, group listing and description.</summary>
public sealed class AuthorizationClientsTests(ITestOutputHelper output)
{
    [SkippableFact]
    public async Task Kcat_sees_only_describable_topics_and_is_refused_writes_without_Write()
    {
        Skip.If(Kcat.Path is null, "kcat is not installed (Debian package 'kcat'; .ci/run installs it)");
        await using var broker = await StartAsync(output, async (_, admin) =>
        {
            await CreateTopicsAsync(admin, "public", "private");
            await admin.CreateAclsAsync([Allow(ResourceType.Topic, "public", AclOperation.Describe)]);
        });

        var metadata = await Kcat.RunAsync("", "-b", broker.BootstrapServers, "-L");
        var produce = await Kcat.RunAsync("refused\n", "-b", broker.BootstrapServers, "-P", "-t", "public", "-X", "message.timeout.ms=10000");

        Assert.Equal(0, metadata.ExitCode);
        Assert.Contains("topic \"public\"", metadata.Stdout);
        Assert.DoesNotContain("private", metadata.Stdout);
        Assert.Contains("Topic authorization failed", produce.Stderr, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(0, broker.Broker.Context.Logs.GetPartition("public", 0)!.HighWatermark);
    }

    [Fact]
    public async Task Groups_are_listed_and_described_only_where_Describe_is_allowed()
    {
        await using var broker = await StartAsync(output, async (bootstrap, admin) =>
        {
            await CreateTopicsAsync(admin, "events");
            await ProduceAsync(bootstrap, "events", "x");
            foreach (var group in new[] { "team-a", "team-b" })
            {
                using var consumer = Clients.Consumer<Ignore, string>(bootstrap, c => c.GroupId = group);
                consumer.Assign(new TopicPartitionOffset("events", 0, 0));
                consumer.Commit([new TopicPartitionOffset("events", 0, 1)]);
            }

            await admin.CreateAclsAsync([Allow(ResourceType.Group, "team-a", AclOperation.Read)]);
        });
        using var admin = Clients.Admin(broker.BootstrapServers);

        var listed = await admin.ListConsumerGroupsAsync();
        Assert.Equal(["team-a"], listed.Valid.Select(g => g.GroupId));

        var described = await admin.DescribeConsumerGroupsAsync(["team-a"], new DescribeConsumerGroupsOptions { IncludeAuthorizedOperations = true });
        Assert.Equal([AclOperation.Read, AclOperation.Describe], Assert.Single(described.ConsumerGroupDescriptions).AuthorizedOperations.Order());
        var refused = await Assert.ThrowsAsync<DescribeConsumerGroupsException>(() => admin.DescribeConsumerGroupsAsync(["team-b"]));
        Assert.Equal(ErrorCode.GroupAuthorizationFailed, Assert.Single(refused.Results.ConsumerGroupDescriptions).Error.Code);
    }
}
