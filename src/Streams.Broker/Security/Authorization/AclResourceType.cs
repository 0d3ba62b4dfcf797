namespace Streams.Broker.Security.Authorization;

/// <summary>What an ACL protects, numbered as on the wire (Kafka's <c>ResourceType</c>).</summary>
internal enum AclResourceType : sbyte
{
    Unknown = 0,

    /// <summary>Filters only.</summary>
    Any = 1,
    Topic = 2,
    Group = 3,

    /// <summary>The one cluster resource, named <c>kafka-cluster</c>.</summary>
    Cluster = 4,
    TransactionalId = 5,
    DelegationToken = 6,
}
