using Streams.Broker.Security.Authorization;

namespace Streams.Broker.Apis;

/// <summary>The checks every ACL API shares, so each handler reads as its Kafka counterpart.</summary>
internal static class AclFilters
{
    /// <summary>Kafka's answer to ACL APIs on a broker without an authorizer.</summary>
    public const string SecurityDisabledMessage = "No Authorizer is configured on the broker";

    public static AclBindingFilter Filter(sbyte resourceType, string? resourceName, sbyte patternType, string? principal, string? host, sbyte operation, sbyte permission) =>
        new((AclResourceType)resourceType, resourceName, (AclPatternType)patternType, principal, host, (AclOperation)operation, (AclPermissionType)permission);
}
