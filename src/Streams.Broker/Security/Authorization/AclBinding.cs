namespace Streams.Broker.Security.Authorization;

/// <summary>
/// One ACL, as Kafka models it: a resource pattern (type, name, literal or prefixed) and an entry saying which
/// principal, from which host, may (or may not) perform which operation on it.
/// </summary>
/// <param name="ResourceType">Topic, Group, Cluster, TransactionalId or DelegationToken.</param>
/// <param name="ResourceName">The name, <c>*</c> (literal) for every resource of the type, or a prefix.</param>
/// <param name="PatternType">Literal or Prefixed.</param>
/// <param name="Principal"><c>User:name</c>, or <c>User:*</c> for every user.</param>
/// <param name="Host">A client IP address, or <c>*</c> for every host.</param>
/// <param name="Operation">The operation; <see cref="AclOperation.All"/> covers every one.</param>
/// <param name="Permission">Allow or Deny (deny wins).</param>
internal sealed record AclBinding(
    AclResourceType ResourceType, string ResourceName, AclPatternType PatternType, string Principal, string Host, AclOperation Operation, AclPermissionType Permission)
{
    /// <summary>The name of the cluster resource; Kafka accepts no other.</summary>
    public const string ClusterName = "kafka-cluster";

    /// <summary>The resource name (literal) or principal/host that stands for all.</summary>
    public const string Wildcard = "*";

    /// <summary>Why this binding cannot be stored (Kafka answers INVALID_REQUEST), or null when it can.</summary>
    public string? Validate()
    {
        if (ResourceType is AclResourceType.Unknown or AclResourceType.Any || !Enum.IsDefined(ResourceType))
        {
            return $"Invalid resource type {(int)ResourceType} for an ACL";
        }

        if (PatternType is not (AclPatternType.Literal or AclPatternType.Prefixed))
        {
            return $"Invalid pattern type {(int)PatternType} for an ACL: must be LITERAL or PREFIXED";
        }

        if (Operation is AclOperation.Unknown or AclOperation.Any || !Enum.IsDefined(Operation))
        {
            return $"Invalid operation {(int)Operation} for an ACL";
        }

        if (Permission is not (AclPermissionType.Allow or AclPermissionType.Deny))
        {
            return $"Invalid permission type {(int)Permission} for an ACL: must be ALLOW or DENY";
        }

        if (string.IsNullOrEmpty(ResourceName))
        {
            return "The resource name of an ACL must not be empty";
        }

        if (ResourceType == AclResourceType.Cluster && (ResourceName != ClusterName || PatternType != AclPatternType.Literal))
        {
            return $"The only valid name for the CLUSTER resource is {ClusterName}";
        }

        var colon = Principal.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0 || colon == Principal.Length - 1)
        {
            return $"Could not parse principal from '{Principal}': expected Type:Name, e.g. User:alice";
        }

        if (string.IsNullOrEmpty(Host))
        {
            return "The host of an ACL must not be empty (use * for every host)";
        }

        return null;
    }

    /// <summary>Kafka's rendering of a resource pattern in the authorizer log: <c>Topic:LITERAL:orders</c>.</summary>
    public static string DescribeResource(AclResourceType type, AclPatternType pattern, string name) =>
        $"{type}:{pattern.ToString().ToUpperInvariant()}:{name}";

    /// <inheritdoc/>
    public override string ToString() =>
        $"(pattern={DescribeResource(ResourceType, PatternType, ResourceName)}, principal={Principal}, host={Host}, operation={Operation.ToString().ToUpperInvariant()}, permission={Permission.ToString().ToUpperInvariant()})";
}
