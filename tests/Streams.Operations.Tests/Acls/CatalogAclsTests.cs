using Confluent.Kafka.Admin;
using Streams.Consumers;
using Streams.Contracts.Topics;
using Streams.Operations.Acls;

namespace Streams.Operations.Tests.Acls;

/// <summary>The ACLs the topic catalog grants: kafka-acls' producer/consumer conventions and Kafka Streams' needs.</summary>
public sealed class CatalogAclsTests
{
    private static readonly IReadOnlyList<AclBinding> Granted = CatalogAcls.Derive();

    private static bool Has(string principal, ResourceType type, string name, ResourcePatternType pattern, AclOperation operation) =>
        Granted.Contains(AclNames.Allow(principal, type, name, pattern, operation));

    private static TopicDefinition Topic(string name) => new(name, 1, "key", [], SubjectNaming.Topic, new Dictionary<string, string>());

    [Fact]
    public void A_producer_may_write_and_describe_its_topic_and_write_idempotently()
    {
        var acls = CatalogAcls.Derive([Topic("t") with { Producers = ["User:p"] }], []);

        Assert.Equal(
            [
                AclNames.Allow("User:p", ResourceType.Topic, "t", ResourcePatternType.Literal, AclOperation.Write),
                AclNames.Allow("User:p", ResourceType.Topic, "t", ResourcePatternType.Literal, AclOperation.Describe),
                AclNames.Allow("User:p", ResourceType.Broker, "kafka-cluster", ResourcePatternType.Literal, AclOperation.IdempotentWrite),
            ],
            acls);
    }

    [Fact]
    public void A_consumer_may_read_its_topic_and_its_group_and_nothing_else()
    {
        var acls = CatalogAcls.Derive([Topic("t") with { Consumers = [new("User:c", "g"), new("User:r", "reader-", GroupPrefixed: true)] }], []);

        Assert.Equal(
            [
                AclNames.Allow("User:c", ResourceType.Topic, "t", ResourcePatternType.Literal, AclOperation.Read),
                AclNames.Allow("User:c", ResourceType.Topic, "t", ResourcePatternType.Literal, AclOperation.Describe),
                AclNames.Allow("User:c", ResourceType.Group, "g", ResourcePatternType.Literal, AclOperation.Read),
                AclNames.Allow("User:r", ResourceType.Topic, "t", ResourcePatternType.Literal, AclOperation.Read),
                AclNames.Allow("User:r", ResourceType.Topic, "t", ResourcePatternType.Literal, AclOperation.Describe),
                AclNames.Allow("User:r", ResourceType.Group, "reader-", ResourcePatternType.Prefixed, AclOperation.Read),
            ],
            acls);
    }

    [Fact]
    public void Every_binding_is_granted_once_however_many_topics_name_it()
    {
        var acls = CatalogAcls.Derive([Topic("a") with { Producers = ["User:p"] }, Topic("b") with { Producers = ["User:p"] }], []);

        Assert.Single(acls, b => b.Pattern.Type == ResourceType.Broker);
        Assert.Equal(acls.Count, acls.Distinct().Count());
        Assert.Equal(Granted.Count, Granted.Distinct().Count());
    }

    [Fact]
    public void The_topology_manages_its_internal_topics_by_prefix_and_commits_in_its_group()
    {
        var app = TopicCatalog.TopologyApplication;
        foreach (var operation in new[] { AclOperation.Create, AclOperation.Read, AclOperation.Write, AclOperation.Delete, AclOperation.Describe, AclOperation.DescribeConfigs })
        {
            Assert.True(Has(app.Principal, ResourceType.Topic, "streams-topology-", ResourcePatternType.Prefixed, operation), $"internal topics: {operation}");
        }

        Assert.True(Has(app.Principal, ResourceType.Group, "streams-topology", ResourcePatternType.Prefixed, AclOperation.Read));
        Assert.True(Has(app.Principal, ResourceType.Broker, "kafka-cluster", ResourcePatternType.Literal, AclOperation.IdempotentWrite));
        Assert.True(Has(app.Principal, ResourceType.Broker, "kafka-cluster", ResourcePatternType.Literal, AclOperation.DescribeConfigs));
        Assert.True(Has(app.Principal, ResourceType.Topic, TopicCatalog.CartEvents.Name, ResourcePatternType.Literal, AclOperation.Read));
        Assert.True(Has(app.Principal, ResourceType.Topic, TopicCatalog.Orders.Name, ResourcePatternType.Literal, AclOperation.Write));
        Assert.True(Has(app.Principal, ResourceType.Topic, TopicCatalog.DeadLetters.Name, ResourcePatternType.Literal, AclOperation.Write));
        Assert.False(Has(app.Principal, ResourceType.Topic, TopicCatalog.CartEvents.Name, ResourcePatternType.Literal, AclOperation.Write));
    }

    [Fact]
    public void The_registry_creates_and_checks_its_schemas_topic()
    {
        foreach (var operation in new[] { AclOperation.Read, AclOperation.Write, AclOperation.Describe, AclOperation.Create, AclOperation.DescribeConfigs })
        {
            Assert.True(Has(ServicePrincipals.Registry, ResourceType.Topic, "_schemas", ResourcePatternType.Literal, operation), $"_schemas: {operation}");
        }

        Assert.True(Has(ServicePrincipals.Registry, ResourceType.Group, "_schemas-reader-", ResourcePatternType.Prefixed, AclOperation.Read));
        Assert.DoesNotContain(Granted, b => b.Entry.Principal == ServicePrincipals.Registry && b.Pattern.Name != "_schemas" && b.Pattern.Type == ResourceType.Topic);
    }

    [Fact]
    public void Consumers_only_read_and_publishers_only_write_the_event_topics()
    {
        Assert.DoesNotContain(Granted, b => b.Entry.Principal == ServicePrincipals.Publisher && b.Entry.Operation == AclOperation.Read);
        Assert.DoesNotContain(Granted, b => b.Entry.Principal is ServicePrincipals.Audit or ServicePrincipals.Notifier
            && b.Entry.Operation == AclOperation.Write && b.Pattern.Name != TopicCatalog.DeadLetters.Name);
        Assert.All(Granted, b => Assert.Equal(AclPermissionType.Allow, b.Entry.PermissionType));
        Assert.All(Granted, b => Assert.Equal("*", b.Entry.Host));
        Assert.DoesNotContain(Granted, b => b.Entry.Operation == AclOperation.All);
    }

    [Fact]
    public void Every_event_topic_has_a_producer_and_a_consumer()
    {
        Assert.All(TopicCatalog.All, t => Assert.NotEmpty(t.Producers));
        Assert.All(TopicCatalog.All, t => Assert.NotEmpty(t.Consumers));
    }

    [Fact]
    public void The_catalog_names_the_groups_the_services_use_and_every_service_principal()
    {
        var groups = TopicCatalog.All.SelectMany(t => t.Consumers).ToLookup(c => c.Principal, c => c.Group);

        Assert.Equal([AuditProjection.GroupId], groups[ServicePrincipals.Audit].Distinct());
        Assert.Equal([Notifier.GroupId, Streams.Consumers.Notifications.NotificationLog.GroupPrefix], groups[ServicePrincipals.Notifier].Distinct());
        Assert.Equal([TopicCatalog.TopologyApplication.ApplicationId], groups[ServicePrincipals.Topology].Distinct());
        Assert.Equal(ServicePrincipals.All.Order(StringComparer.Ordinal), CatalogAcls.Principals());
        Assert.All(CatalogAcls.Principals(), p => Assert.True(AclNames.IsPrincipal(p), p));
    }
}
