namespace Streams.Broker.Security.Authorization;

/// <summary>Whether an ACL allows or denies, numbered as on the wire.</summary>
internal enum AclPermissionType : sbyte
{
    Unknown = 0,

    /// <summary>Filters only.</summary>
    Any = 1,
    Deny = 2,
    Allow = 3,
}
