namespace Streams.Broker.Security.Authorization;

/// <summary>
/// Which ACLs a DescribeAcls or DeleteAcls request means: <c>Any</c> values and null names match everything; the
/// <see cref="AclPatternType.Match"/> pattern selects every ACL that would apply to the named resource (the literal
/// name, the literal wildcard and every prefix of it), as Kafka's <c>AclBindingFilter</c> does.
/// </summary>
internal sealed record AclBindingFilter(
    AclResourceType ResourceType, string? ResourceName, AclPatternType PatternType, string? Principal, string? Host, AclOperation Operation, AclPermissionType Permission)
{
    /// <summary>Why the filter is unusable (Kafka answers INVALID_REQUEST), or null.</summary>
    public string? Validate()
    {
        if (ResourceType == AclResourceType.Unknown || !Enum.IsDefined(ResourceType))
        {
            return $"Invalid resource type filter {(int)ResourceType}";
        }

        if (PatternType == AclPatternType.Unknown || !Enum.IsDefined(PatternType))
        {
            return $"Invalid pattern type filter {(int)PatternType}";
        }

        if (Operation == AclOperation.Unknown || !Enum.IsDefined(Operation))
        {
            return $"Invalid operation filter {(int)Operation}";
        }

        if (Permission == AclPermissionType.Unknown || !Enum.IsDefined(Permission))
        {
            return $"Invalid permission type filter {(int)Permission}";
        }

        return null;
    }

    public bool Matches(AclBinding acl) =>
        (ResourceType == AclResourceType.Any || ResourceType == acl.ResourceType)
        && MatchesPattern(acl)
        && (Principal is null || Principal == acl.Principal)
        && (Host is null || Host == acl.Host)
        && (Operation == AclOperation.Any || Operation == acl.Operation)
        && (Permission == AclPermissionType.Any || Permission == acl.Permission);

    private bool MatchesPattern(AclBinding acl) => PatternType switch
    {
        AclPatternType.Any => ResourceName is null || ResourceName == acl.ResourceName,
        AclPatternType.Match => ResourceName is null || acl.PatternType switch
        {
            AclPatternType.Literal => acl.ResourceName == ResourceName || acl.ResourceName == AclBinding.Wildcard,
            AclPatternType.Prefixed => ResourceName.StartsWith(acl.ResourceName, StringComparison.Ordinal),
            _ => false,
        },
        _ => PatternType == acl.PatternType && (ResourceName is null || ResourceName == acl.ResourceName),
    };
}
