using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Streams.Broker.Protocol.Messages;
using Streams.Broker.Tests.Support;
using Xunit.Abstractions;
using static Streams.Broker.Tests.Security.Authorization.SecuredBroker;

namespace Streams.Broker.Tests.Security.Authorization;

/// <summary>The ACL admin APIs and DescribeCluster through Confluent.Kafka's AdminClient.</summary>
public sealed class AclAdminTests(ITestOutputHelper output)
{
    private static readonly Dictionary<string, string> AsSuperUser = new() { ["authorizer.class.name"] = AuthorizerClass, ["super.users"] = Anonymous };

    private static AclBindingFilter Filter(ResourceType type = ResourceType.Any, string? name = null, ResourcePatternType pattern = ResourcePatternType.Any, string? principal = null) => new()
    {
        PatternFilter = new ResourcePatternFilter { Type = type, Name = name, ResourcePatternType = pattern },
        EntryFilter = new AccessControlEntryFilter { Principal = principal, Host = null, Operation = AclOperation.Any, PermissionType = AclPermissionType.Any },
    };

    private static async Task<DescribeAclsResponse> DescribeAclsRawAsync(TestBroker broker)
    {
        using var connection = await RawConnection.ConnectAsync(broker.Broker);
        var request = new DescribeAclsRequest { ResourceTypeFilter = 1, PatternTypeFilter = 1, Operation = 1, PermissionType = 1 };
        return (await connection.SendAsync<DescribeAclsRequest, DescribeAclsResponse>(request, 2))!;
    }

    [Fact]
    public async Task Acls_round_trip_through_create_describe_and_delete_and_survive_a_restart()
    {
        await using var broker = await TestBroker.StartAsync(output, AsSuperUser);
        using (var admin = Clients.Admin(broker.BootstrapServers))
        {
            await admin.CreateAclsAsync(
            [
                Allow(ResourceType.Topic, "orders", AclOperation.Read, principal: "User:alice"),
                Allow(ResourceType.Topic, "orders.", AclOperation.Write, ResourcePatternType.Prefixed, "User:alice"),
                Allow(ResourceType.Topic, "*", AclOperation.Describe, principal: "User:bob"),
                Deny(ResourceType.Group, "app", AclOperation.Read, principal: "User:bob"),
            ]);

            Assert.Equal(4, (await admin.DescribeAclsAsync(Filter())).AclBindings.Count);
            var match = await admin.DescribeAclsAsync(Filter(ResourceType.Topic, "orders.eu", ResourcePatternType.Match));
            Assert.Equal(["*", "orders."], match.AclBindings.Select(b => b.Pattern.Name).Order());
            var prefixed = Assert.Single((await admin.DescribeAclsAsync(Filter(ResourceType.Topic, pattern: ResourcePatternType.Prefixed))).AclBindings);
            Assert.Equal(AclOperation.Write, prefixed.Entry.Operation);

            var deleted = await admin.DeleteAclsAsync([Filter(principal: "User:bob")]);
            Assert.Equal(2, Assert.Single(deleted).AclBindings.Count);
        }

        await broker.RestartAsync();
        using (var admin = Clients.Admin(broker.BootstrapServers))
        {
            var left = (await admin.DescribeAclsAsync(Filter())).AclBindings;
            Assert.Equal(2, left.Count);
            Assert.All(left, b => Assert.Equal("User:alice", b.Entry.Principal));
        }
    }

    [Fact]
    public async Task A_binding_Kafka_would_refuse_gets_INVALID_REQUEST_and_the_others_are_created()
    {
        await using var broker = await TestBroker.StartAsync(output, AsSuperUser);
        using var admin = Clients.Admin(broker.BootstrapServers);

        var ex = await Assert.ThrowsAsync<CreateAclsException>(() => admin.CreateAclsAsync(
        [
            Allow(ResourceType.Topic, "orders", AclOperation.Read, principal: "alice-without-type"),
            Allow(ResourceType.Topic, "orders", AclOperation.Read, principal: "User:alice"),
        ]));

        Assert.Equal([ErrorCode.InvalidRequest, ErrorCode.NoError], ex.Results.Select(r => r.Error.Code));
        Assert.Single((await admin.DescribeAclsAsync(Filter())).AclBindings);
    }

    [Fact]
    public async Task Acl_apis_answer_SECURITY_DISABLED_without_an_authorizer()
    {
        await using var broker = await TestBroker.StartAsync(output);
        using var admin = Clients.Admin(broker.BootstrapServers);

        // librdkafka drops DescribeAcls' top-level error (an empty listing reaches the caller), so the wire answer is read raw.
        Assert.Equal(Streams.Broker.Protocol.ErrorCode.SecurityDisabled, (await DescribeAclsRawAsync(broker)).ErrorCode);
        var create = await Assert.ThrowsAsync<CreateAclsException>(() => admin.CreateAclsAsync([Allow(ResourceType.Topic, "t", AclOperation.Read)]));
        Assert.Equal(ErrorCode.SecurityDisabled, create.Results.Single().Error.Code);
    }

    [Fact]
    public async Task Acl_apis_need_Describe_or_Alter_on_the_cluster()
    {
        await using var broker = await StartAsync(output, (_, admin) =>
            admin.CreateAclsAsync([Allow(ResourceType.Broker, "kafka-cluster", AclOperation.Describe)]));
        using var admin = Clients.Admin(broker.BootstrapServers);

        Assert.Single((await admin.DescribeAclsAsync(Filter())).AclBindings);
        var create = await Assert.ThrowsAsync<CreateAclsException>(() => admin.CreateAclsAsync([Allow(ResourceType.Topic, "t", AclOperation.Read)]));
        Assert.Equal(ErrorCode.ClusterAuthorizationFailed, create.Results.Single().Error.Code);
        var delete = await Assert.ThrowsAsync<DeleteAclsException>(() => admin.DeleteAclsAsync([Filter()]));
        Assert.Equal(ErrorCode.ClusterAuthorizationFailed, delete.Results.Single().Error.Code);
    }

    [Fact]
    public async Task DescribeAcls_without_Describe_on_the_cluster_answers_CLUSTER_AUTHORIZATION_FAILED()
    {
        await using var broker = await StartAsync(output, (_, admin) =>
            admin.CreateAclsAsync([Allow(ResourceType.Broker, "kafka-cluster", AclOperation.Create)]));

        var response = await DescribeAclsRawAsync(broker);

        Assert.Equal(Streams.Broker.Protocol.ErrorCode.ClusterAuthorizationFailed, response.ErrorCode);
        Assert.Empty(response.Resources);
    }

    [Fact]
    public async Task DescribeCluster_reports_the_operations_the_acls_grant()
    {
        await using var broker = await StartAsync(output, (_, admin) => admin.CreateAclsAsync(
        [
            Allow(ResourceType.Broker, "kafka-cluster", AclOperation.Describe),
            Allow(ResourceType.Broker, "kafka-cluster", AclOperation.AlterConfigs),
        ]));
        using var admin = Clients.Admin(broker.BootstrapServers);

        var cluster = await admin.DescribeClusterAsync(new DescribeClusterOptions { IncludeAuthorizedOperations = true });

        Assert.Equal(broker.Broker.ClusterId, cluster.ClusterId);
        Assert.Equal(1, Assert.Single(cluster.Nodes).Id);
        // AlterConfigs implies DescribeConfigs, as in Kafka.
        Assert.Equal([AclOperation.Describe, AclOperation.DescribeConfigs, AclOperation.AlterConfigs], cluster.AuthorizedOperations.Order());
    }

    [Fact]
    public async Task DescribeCluster_without_an_authorizer_reports_every_cluster_operation()
    {
        await using var broker = await TestBroker.StartAsync(output);
        using var admin = Clients.Admin(broker.BootstrapServers);

        var cluster = await admin.DescribeClusterAsync(new DescribeClusterOptions { IncludeAuthorizedOperations = true });

        AclOperation[] all =
        [
            AclOperation.Create, AclOperation.ClusterAction, AclOperation.DescribeConfigs, AclOperation.AlterConfigs, AclOperation.IdempotentWrite,
            AclOperation.Alter, AclOperation.Describe,
        ];
        Assert.Equal(all.Order(), cluster.AuthorizedOperations.Order());
    }
}
