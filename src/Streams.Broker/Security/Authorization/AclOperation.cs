namespace Streams.Broker.Security.Authorization;

/// <summary>Kafka's ACL operations, numbered as on the wire (<c>AclOperation</c> in Kafka's clients).</summary>
internal enum AclOperation : sbyte
{
    Unknown = 0,

    /// <summary>Filters only: matches every operation.</summary>
    Any = 1,

    /// <summary>Grants (or denies) every operation.</summary>
    All = 2,
    Read = 3,
    Write = 4,
    Create = 5,
    Delete = 6,
    Alter = 7,
    Describe = 8,
    ClusterAction = 9,
    DescribeConfigs = 10,
    AlterConfigs = 11,
    IdempotentWrite = 12,
}
