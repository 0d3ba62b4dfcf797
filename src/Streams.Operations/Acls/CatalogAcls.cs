using Confluent.Kafka.Admin;
using Streams.Contracts.Topics;

namespace Streams.Operations.Acls;

/// <summary>
/// The ACLs the topic catalog grants, derived from who produces and consumes each topic, the way kafka-acls.sh's
/// <c>--producer</c>/<c>--consumer</c>/<c>--idempotent</c> conveniences and Kafka Streams' security guide describe them:
/// <list type="bullet">
/// <item>a producer: Write and Describe on the topic, IdempotentWrite on the cluster (every producer of the
/// application is idempotent);</item>
/// <item>a consumer: Read and Describe on the topic, Read on its group (literal, or prefixed when the service makes up
/// group ids);</item>
/// <item>a topic's owner (a service that creates the topic itself): Create and DescribeConfigs on it;</item>
/// <item>a Streamiz application: Create, Read, Write, Delete, Describe and DescribeConfigs on topics prefixed
/// <c>{application id}-</c> (its changelogs and repartition topics), Read on groups prefixed with the application id,
/// and IdempotentWrite, Describe and DescribeConfigs on the cluster (its producers and admin client).</item>
/// </list>
/// Every binding allows, from any host. Creating the catalog's event topics stays an operator's job.
/// </summary>
public static class CatalogAcls
{
    private static readonly AclOperation[] ProducerTopicOperations = [AclOperation.Write, AclOperation.Describe];
    private static readonly AclOperation[] ConsumerTopicOperations = [AclOperation.Read, AclOperation.Describe];
    private static readonly AclOperation[] OwnerTopicOperations = [AclOperation.Create, AclOperation.DescribeConfigs];

    private static readonly AclOperation[] InternalTopicOperations =
        [AclOperation.Create, AclOperation.Read, AclOperation.Write, AclOperation.Delete, AclOperation.Describe, AclOperation.DescribeConfigs];

    private static readonly AclOperation[] ApplicationClusterOperations = [AclOperation.IdempotentWrite, AclOperation.Describe, AclOperation.DescribeConfigs];

    /// <summary>The ACLs of the application's own catalog: its event and support topics and its Streamiz applications.</summary>
    public static IReadOnlyList<AclBinding> Derive() =>
        Derive([.. TopicCatalog.All, .. TopicCatalog.Support], TopicCatalog.Applications);

    /// <summary>The principals the application's own catalog names.</summary>
    public static IReadOnlyList<string> Principals() =>
        Principals([.. TopicCatalog.All, .. TopicCatalog.Support], TopicCatalog.Applications);

    /// <summary>The ACLs <paramref name="topics"/> and <paramref name="applications"/> grant, each once, in a stable order.</summary>
    public static IReadOnlyList<AclBinding> Derive(IEnumerable<TopicDefinition> topics, IEnumerable<StreamsApplicationDefinition> applications)
    {
        ArgumentNullException.ThrowIfNull(topics);
        ArgumentNullException.ThrowIfNull(applications);
        var bindings = new HashSet<AclBinding>();
        foreach (var topic in topics)
        {
            foreach (var producer in topic.Producers)
            {
                AddAll(bindings, producer, ResourceType.Topic, topic.Name, ResourcePatternType.Literal, ProducerTopicOperations);
                bindings.Add(AclNames.Allow(producer, ResourceType.Broker, AclNames.ClusterName, ResourcePatternType.Literal, AclOperation.IdempotentWrite));
            }

            foreach (var consumer in topic.Consumers)
            {
                AddAll(bindings, consumer.Principal, ResourceType.Topic, topic.Name, ResourcePatternType.Literal, ConsumerTopicOperations);
                var groupPattern = consumer.GroupPrefixed ? ResourcePatternType.Prefixed : ResourcePatternType.Literal;
                bindings.Add(AclNames.Allow(consumer.Principal, ResourceType.Group, consumer.Group, groupPattern, AclOperation.Read));
            }

            if (topic.Owner is { } owner)
            {
                AddAll(bindings, owner, ResourceType.Topic, topic.Name, ResourcePatternType.Literal, OwnerTopicOperations);
            }
        }

        foreach (var application in applications)
        {
            AddAll(bindings, application.Principal, ResourceType.Topic, application.InternalTopicPrefix, ResourcePatternType.Prefixed, InternalTopicOperations);
            bindings.Add(AclNames.Allow(application.Principal, ResourceType.Group, application.ApplicationId, ResourcePatternType.Prefixed, AclOperation.Read));
            AddAll(bindings, application.Principal, ResourceType.Broker, AclNames.ClusterName, ResourcePatternType.Literal, ApplicationClusterOperations);
        }

        return [.. AclNames.Ordered(bindings)];
    }

    /// <summary>Every principal <paramref name="topics"/> and <paramref name="applications"/> name, in order.</summary>
    public static IReadOnlyList<string> Principals(IEnumerable<TopicDefinition> topics, IEnumerable<StreamsApplicationDefinition> applications)
    {
        ArgumentNullException.ThrowIfNull(topics);
        ArgumentNullException.ThrowIfNull(applications);
        return [.. topics
            .SelectMany(t => t.Producers.Concat(t.Consumers.Select(c => c.Principal)).Concat(t.Owner is null ? [] : [t.Owner]))
            .Concat(applications.Select(a => a.Principal))
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal)];
    }

    private static void AddAll(HashSet<AclBinding> bindings, string principal, ResourceType type, string name, ResourcePatternType pattern, AclOperation[] operations)
    {
        foreach (var operation in operations)
        {
            bindings.Add(AclNames.Allow(principal, type, name, pattern, operation));
        }
    }
}
