using Streams.Broker.Security;
using Streams.Broker.Security.Authorization;

namespace Streams.Broker.Tests.Security.Authorization;

/// <summary>Kafka's ACL semantics on the snapshot the authorizer checks against, one rule per test.</summary>
public sealed class AclMatcherTests
{
    private static readonly KafkaPrincipal Alice = KafkaPrincipal.User("alice");
    private const string Host = "10.0.0.5";

    private static AclBinding Acl(string principal, AclOperation operation, AclPermissionType permission = AclPermissionType.Allow,
        string name = "orders", AclPatternType pattern = AclPatternType.Literal, AclResourceType type = AclResourceType.Topic, string host = "*") =>
        new(type, name, pattern, principal, host, operation, permission);

    private static bool Check(AclOperation operation, string name = "orders", bool allowIfNoAcl = false, string host = Host, params AclBinding[] acls) =>
        new AclSnapshot(acls).Authorize(Alice, host, operation, AclResourceType.Topic, name, allowIfNoAcl);

    [Theory]
    [InlineData("Read")]
    [InlineData("Write")]
    [InlineData("Delete")]
    [InlineData("Alter")]
    public void Read_Write_Delete_and_Alter_each_imply_Describe(string operation)
    {
        var granted = Enum.Parse<AclOperation>(operation);
        Assert.True(Check(AclOperation.Describe, acls: Acl("User:alice", granted)));
        Assert.False(Check(AclOperation.Create, acls: Acl("User:alice", granted)));
    }

    [Fact]
    public void AlterConfigs_implies_DescribeConfigs_but_not_the_reverse()
    {
        Assert.True(Check(AclOperation.DescribeConfigs, acls: Acl("User:alice", AclOperation.AlterConfigs)));
        Assert.False(Check(AclOperation.AlterConfigs, acls: Acl("User:alice", AclOperation.DescribeConfigs)));
    }

    [Fact]
    public void Describe_does_not_imply_Read()
    {
        Assert.False(Check(AclOperation.Read, acls: Acl("User:alice", AclOperation.Describe)));
    }

    [Fact]
    public void All_allows_every_operation()
    {
        foreach (var operation in AclAuthorizer.SupportedOperations(AclResourceType.Topic))
        {
            Assert.True(Check(operation, acls: Acl("User:alice", AclOperation.All)), operation.ToString());
        }
    }

    [Fact]
    public void Deny_beats_allow_for_the_denied_operation_only()
    {
        AclBinding[] acls = [Acl("User:alice", AclOperation.All), Acl("User:alice", AclOperation.Read, AclPermissionType.Deny)];

        Assert.False(Check(AclOperation.Read, acls: acls));
        Assert.True(Check(AclOperation.Write, acls: acls));

        // Kafka widens allows, never denies: denying Read leaves Describe to the allow of All.
        Assert.True(Check(AclOperation.Describe, acls: acls));
    }

    [Fact]
    public void Deny_of_All_refuses_everything_even_with_an_allow()
    {
        Assert.False(Check(AclOperation.Describe, acls: [Acl("User:alice", AclOperation.Describe), Acl("User:*", AclOperation.All, AclPermissionType.Deny)]));
    }

    [Fact]
    public void A_prefixed_deny_beats_a_literal_allow()
    {
        Assert.False(Check(AclOperation.Write, "orders.eu",
            acls: [Acl("User:alice", AclOperation.Write, name: "orders.eu"), Acl("User:alice", AclOperation.Write, AclPermissionType.Deny, "orders.", AclPatternType.Prefixed)]));
    }

    [Fact]
    public void Wildcard_principal_and_host_match_anyone_from_anywhere()
    {
        Assert.True(Check(AclOperation.Read, acls: Acl("User:*", AclOperation.Read)));
        Assert.True(Check(AclOperation.Read, acls: Acl("User:alice", AclOperation.Read, host: Host)));
        Assert.False(Check(AclOperation.Read, acls: Acl("User:alice", AclOperation.Read, host: "10.0.0.6")));
        Assert.False(Check(AclOperation.Read, acls: Acl("User:bob", AclOperation.Read)));
    }

    [Fact]
    public void Wildcard_resource_matches_every_name_of_its_type_only()
    {
        var acl = Acl("User:alice", AclOperation.Read, name: "*");
        Assert.True(Check(AclOperation.Read, "anything", acls: acl));
        Assert.False(new AclSnapshot([acl]).Authorize(Alice, Host, AclOperation.Read, AclResourceType.Group, "anything", allowIfNoAcl: false));
    }

    [Theory]
    [InlineData("orders.eu", true)]
    [InlineData("orders.", true)]
    [InlineData("orders", false)]
    [InlineData("ordersX", false)]
    [InlineData("payments.orders.eu", false)]
    public void Prefixed_acl_matches_names_starting_with_the_prefix(string topic, bool allowed)
    {
        Assert.Equal(allowed, Check(AclOperation.Write, topic, acls: Acl("User:alice", AclOperation.Write, name: "orders.", pattern: AclPatternType.Prefixed)));
    }

    [Fact]
    public void Prefixed_name_star_is_a_prefix_not_a_wildcard()
    {
        Assert.False(Check(AclOperation.Read, "orders", acls: Acl("User:alice", AclOperation.Read, name: "*", pattern: AclPatternType.Prefixed)));
        Assert.True(Check(AclOperation.Read, "*x", acls: Acl("User:alice", AclOperation.Read, name: "*", pattern: AclPatternType.Prefixed)));
    }

    [Fact]
    public void Allow_everyone_if_no_acl_found_applies_only_to_resources_no_acl_names()
    {
        Assert.True(Check(AclOperation.Write, "free", allowIfNoAcl: true, acls: Acl("User:bob", AclOperation.Write, name: "guarded")));
        Assert.False(Check(AclOperation.Write, "guarded", allowIfNoAcl: true, acls: Acl("User:bob", AclOperation.Write, name: "guarded")));
        Assert.False(Check(AclOperation.Write, "free", allowIfNoAcl: false, acls: Acl("User:bob", AclOperation.Write, name: "guarded")));
    }

    [Fact]
    public void Idempotent_write_by_resource_type_needs_an_undenied_topic_write()
    {
        bool ByType(params AclBinding[] acls) => new AclSnapshot(acls).AuthorizeByResourceType(Alice, Host, AclOperation.Write, AclResourceType.Topic, allowIfNoAcl: false);

        Assert.True(ByType(Acl("User:alice", AclOperation.Write, name: "orders")));
        Assert.False(ByType(Acl("User:alice", AclOperation.Read, name: "orders")));
        Assert.False(ByType(Acl("User:alice", AclOperation.Write, name: "orders"), Acl("User:alice", AclOperation.Write, AclPermissionType.Deny, name: "ord", pattern: AclPatternType.Prefixed)));
        Assert.False(ByType(Acl("User:alice", AclOperation.Write, name: "orders"), Acl("User:*", AclOperation.All, AclPermissionType.Deny, name: "*")));
        Assert.True(ByType(Acl("User:alice", AclOperation.Write, name: "orders"), Acl("User:alice", AclOperation.Write, AclPermissionType.Deny, name: "payments")));
    }

    [Fact]
    public void Ten_thousand_acls_are_indexed_without_losing_any()
    {
        var acls = Enumerable.Range(0, 10_000).Select(i => i % 2 == 0
            ? Acl(i % 4 == 0 ? "User:alice" : "User:bob", AclOperation.Write, name: $"topic-{i}")
            : Acl("User:alice", AclOperation.Read, name: $"prefix-{i}.", pattern: AclPatternType.Prefixed)).ToArray();
        var snapshot = new AclSnapshot(acls);

        Assert.True(snapshot.Authorize(Alice, Host, AclOperation.Write, AclResourceType.Topic, "topic-4000", false));
        Assert.False(snapshot.Authorize(Alice, Host, AclOperation.Write, AclResourceType.Topic, "topic-4002", false));
        Assert.True(snapshot.Authorize(Alice, Host, AclOperation.Read, AclResourceType.Topic, "prefix-9999.data", false));
        Assert.False(snapshot.Authorize(Alice, Host, AclOperation.Read, AclResourceType.Topic, "prefix-9998.data", false));
    }

    [Fact]
    public void Filters_select_as_Kafka_Any_Match_and_exact_patterns()
    {
        AclBinding[] acls =
        [
            Acl("User:alice", AclOperation.Read, name: "orders"),
            Acl("User:alice", AclOperation.Read, name: "*"),
            Acl("User:alice", AclOperation.Read, name: "ord", pattern: AclPatternType.Prefixed),
            Acl("User:alice", AclOperation.Read, name: "pay", pattern: AclPatternType.Prefixed),
            Acl("User:bob", AclOperation.Write, name: "orders", type: AclResourceType.Group),
        ];
        int Count(AclBindingFilter filter) => acls.Count(filter.Matches);

        Assert.Equal(5, Count(new(AclResourceType.Any, null, AclPatternType.Any, null, null, AclOperation.Any, AclPermissionType.Any)));
        Assert.Equal(3, Count(new(AclResourceType.Topic, "orders", AclPatternType.Match, null, null, AclOperation.Any, AclPermissionType.Any)));
        Assert.Equal(2, Count(new(AclResourceType.Any, "orders", AclPatternType.Any, null, null, AclOperation.Any, AclPermissionType.Any)));
        Assert.Equal(2, Count(new(AclResourceType.Topic, null, AclPatternType.Prefixed, null, null, AclOperation.Any, AclPermissionType.Any)));
        Assert.Equal(1, Count(new(AclResourceType.Any, null, AclPatternType.Any, "User:bob", null, AclOperation.Any, AclPermissionType.Any)));
        Assert.Equal(0, Count(new(AclResourceType.Any, null, AclPatternType.Any, null, null, AclOperation.Describe, AclPermissionType.Any)));
    }

    [Theory]
    [InlineData("Any", "x", "Literal", "User:a", "Read", "Allow")]
    [InlineData("Topic", "x", "Match", "User:a", "Read", "Allow")]
    [InlineData("Topic", "x", "Literal", "alice", "Read", "Allow")]
    [InlineData("Topic", "x", "Literal", "User:a", "Any", "Allow")]
    [InlineData("Topic", "x", "Literal", "User:a", "Read", "Any")]
    [InlineData("Topic", "", "Literal", "User:a", "Read", "Allow")]
    [InlineData("Cluster", "other", "Literal", "User:a", "Alter", "Allow")]
    public void Bindings_that_Kafka_refuses_are_invalid(string type, string name, string pattern, string principal, string operation, string permission)
    {
        var binding = new AclBinding(Enum.Parse<AclResourceType>(type), name, Enum.Parse<AclPatternType>(pattern), principal, "*",
            Enum.Parse<AclOperation>(operation), Enum.Parse<AclPermissionType>(permission));

        Assert.NotNull(binding.Validate());
        Assert.Null((binding with { ResourceType = AclResourceType.Topic, ResourceName = "x", PatternType = AclPatternType.Literal, Principal = "User:a",
            Operation = AclOperation.Read, Permission = AclPermissionType.Allow }).Validate());
    }
}
