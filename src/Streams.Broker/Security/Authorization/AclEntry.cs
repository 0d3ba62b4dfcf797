namespace Streams.Broker.Security.Authorization;

/// <summary>
/// The part of an ACL checked per request, with the principal split once into type and name so a check compares
/// strings the request already holds and allocates nothing.
/// </summary>
internal sealed class AclEntry(AclBinding binding)
{
    public AclBinding Binding { get; } = binding;

    public string PrincipalType { get; } = binding.Principal[..binding.Principal.IndexOf(':', StringComparison.Ordinal)];

    /// <summary>The user name, or <c>*</c> for every principal of the type.</summary>
    public string PrincipalName { get; } = binding.Principal[(binding.Principal.IndexOf(':', StringComparison.Ordinal) + 1)..];

    public string Host => Binding.Host;

    public AclOperation Operation => Binding.Operation;

    public bool IsDeny => Binding.Permission == AclPermissionType.Deny;

    public bool AppliesTo(KafkaPrincipal principal, string host) =>
        PrincipalType == principal.Type
        && (PrincipalName == principal.Name || PrincipalName == AclBinding.Wildcard)
        && (Host == host || Host == AclBinding.Wildcard);

    /// <summary>
    /// Whether an ALLOW of this entry's operation grants <paramref name="requested"/>: All grants everything, and, as in
    /// Kafka, Read, Write, Delete and Alter each grant Describe, AlterConfigs grants DescribeConfigs. A DENY is never
    /// widened this way: denying Read leaves Describe to the other ACLs.
    /// </summary>
    public static bool AllowImplies(AclOperation granted, AclOperation requested) =>
        granted == requested
        || granted == AclOperation.All
        || (requested == AclOperation.Describe && granted is AclOperation.Read or AclOperation.Write or AclOperation.Delete or AclOperation.Alter)
        || (requested == AclOperation.DescribeConfigs && granted == AclOperation.AlterConfigs);

    /// <summary>Whether a DENY of this entry's operation refuses <paramref name="requested"/> (the operation itself or All).</summary>
    public static bool DenyCovers(AclOperation denied, AclOperation requested) => denied == requested || denied == AclOperation.All;
}
