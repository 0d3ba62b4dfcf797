using Confluent.Kafka.Admin;
using Streams.Operations.Acls;

namespace Streams.Operations.Tests.Acls;

/// <summary>The plan <c>streams acls apply</c> shows: what to add and remove so the cluster grants what the catalog does.</summary>
public sealed class AclPlanTests
{
    private static readonly AclBinding ReadOrders = AclNames.Allow("User:a", ResourceType.Topic, "orders", ResourcePatternType.Literal, AclOperation.Read);
    private static readonly AclBinding WriteOrders = AclNames.Allow("User:a", ResourceType.Topic, "orders", ResourcePatternType.Literal, AclOperation.Write);
    private static readonly AclBinding ReadGroup = AclNames.Allow("User:a", ResourceType.Group, "g", ResourcePatternType.Literal, AclOperation.Read);
    private static readonly AclBinding OthersRead = AclNames.Allow("User:other", ResourceType.Topic, "orders", ResourcePatternType.Literal, AclOperation.Read);

    [Fact]
    public void Adds_what_the_cluster_lacks_and_removes_what_a_managed_principal_has_beyond_it()
    {
        var changes = AclPlan.Diff([ReadOrders, ReadGroup], [ReadOrders, WriteOrders], ["User:a"]);

        Assert.Equal([new AclChange(AclChange.Add, ReadGroup), new AclChange(AclChange.Remove, WriteOrders)], changes);
    }

    [Fact]
    public void Never_touches_the_acls_of_principals_it_does_not_manage()
    {
        var changes = AclPlan.Diff([ReadOrders], [ReadOrders, OthersRead], ["User:a"]);

        Assert.Empty(changes);
    }

    [Fact]
    public void The_same_binding_from_another_host_or_as_deny_or_prefixed_is_a_different_acl()
    {
        var fromHost = new AclBinding { Pattern = ReadOrders.Pattern, Entry = new AccessControlEntry { Principal = "User:a", Host = "10.0.0.1", Operation = AclOperation.Read, PermissionType = AclPermissionType.Allow } };
        var denied = new AclBinding { Pattern = ReadOrders.Pattern, Entry = new AccessControlEntry { Principal = "User:a", Host = "*", Operation = AclOperation.Read, PermissionType = AclPermissionType.Deny } };
        var prefixed = AclNames.Allow("User:a", ResourceType.Topic, "orders", ResourcePatternType.Prefixed, AclOperation.Read);

        var changes = AclPlan.Diff([ReadOrders], [fromHost, denied, prefixed], ["User:a"]);

        Assert.Equal(AclChange.Add, changes[0].Action);
        Assert.Equal(ReadOrders, changes[0].Binding);
        Assert.Equal(3, changes.Count(c => c.Action == AclChange.Remove));
    }

    [Fact]
    public void A_cluster_that_matches_needs_no_change_and_applying_a_plan_reaches_that_state()
    {
        var desired = new[] { ReadOrders, ReadGroup };
        var cluster = new HashSet<AclBinding> { WriteOrders, OthersRead };

        foreach (var change in AclPlan.Diff(desired, cluster, ["User:a"]))
        {
            Assert.True(change.Action == AclChange.Add ? cluster.Add(change.Binding) : cluster.Remove(change.Binding), change.ToString());
        }

        Assert.Empty(AclPlan.Diff(desired, cluster, ["User:a"]));
        Assert.Contains(OthersRead, cluster);
    }

    [Fact]
    public void Refuses_to_grant_to_a_principal_it_does_not_manage()
    {
        Assert.Throws<ArgumentException>(() => AclPlan.Diff([OthersRead], [], ["User:a"]));
    }

    [Fact]
    public void Each_change_describes_its_acl_in_kafka_acls_terms()
    {
        var change = new AclChange(AclChange.Add, AclNames.Allow("User:a", ResourceType.Broker, AclNames.ClusterName, ResourcePatternType.Literal, AclOperation.IdempotentWrite));

        Assert.Equal(("User:a", "Allow", "IdempotentWrite", "Cluster", "kafka-cluster", "LITERAL", "*"),
            (change.Principal, change.Permission, change.Operation, change.ResourceType, change.Resource, change.Pattern, change.Host));
    }
}
