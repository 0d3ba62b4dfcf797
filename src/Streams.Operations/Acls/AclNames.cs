using System.Diagnostics.CodeAnalysis;
using Confluent.Kafka.Admin;

namespace Streams.Operations.Acls;

/// <summary>
/// kafka-acls.sh's vocabulary for ACLs (resource types Topic, Group, Cluster, TransactionalId; operations Read, Write,
/// ...; LITERAL and PREFIXED patterns), mapped to and from the admin client's types.
/// </summary>
public static class AclNames
{
    /// <summary>The one cluster resource's name, as Kafka names it.</summary>
    public const string ClusterName = "kafka-cluster";

    /// <summary>Every host: ACLs the catalog grants hold wherever the service connects from.</summary>
    public const string AnyHost = "*";

    /// <summary>
    /// Kafka's ACL resource type 5. The admin client's enum stops at 4 (Broker, which is Kafka's CLUSTER in ACLs), but
    /// passes the wire value on.
    /// </summary>
    public const ResourceType TransactionalId = (ResourceType)5;

    /// <summary>The operations an ACL can grant (Any and Unknown are only for filters and answers).</summary>
    public static IReadOnlyList<AclOperation> Operations { get; } =
    [
        AclOperation.All, AclOperation.Read, AclOperation.Write, AclOperation.Create, AclOperation.Delete, AclOperation.Alter,
        AclOperation.Describe, AclOperation.ClusterAction, AclOperation.DescribeConfigs, AclOperation.AlterConfigs, AclOperation.IdempotentWrite,
    ];

    /// <summary>Reads an operation name as kafka-acls.sh's <c>--operation</c> does (case-insensitive).</summary>
    public static bool TryParseOperation(string value, [NotNullWhen(true)] out AclOperation? operation)
    {
        operation = Operations.Cast<AclOperation?>().FirstOrDefault(o => string.Equals(o.ToString(), value.Replace("-", "", StringComparison.Ordinal), StringComparison.OrdinalIgnoreCase));
        return operation is not null;
    }

    /// <summary>The resource type as kafka-acls.sh prints it: Topic, Group, Cluster, TransactionalId.</summary>
    public static string Format(ResourceType type) => type switch
    {
        ResourceType.Broker => "Cluster",
        TransactionalId => "TransactionalId",
        _ => type.ToString(),
    };

    /// <summary>The pattern type as Kafka prints it: LITERAL, PREFIXED.</summary>
    public static string Format(ResourcePatternType type) => type.ToString().ToUpperInvariant();

    /// <summary>One line for a person: <c>User:a has Allow permission for operations: Read from hosts: * on Topic:LITERAL:orders</c>, shorter.</summary>
    public static string Describe(AclBinding binding)
    {
        ArgumentNullException.ThrowIfNull(binding);
        return $"{binding.Entry.Principal} {binding.Entry.PermissionType} {binding.Entry.Operation} on {Format(binding.Pattern.Type)}:{Format(binding.Pattern.ResourcePatternType)}:{binding.Pattern.Name} from {binding.Entry.Host}";
    }

    /// <summary>A principal is <c>Type:name</c> (<c>User:alice</c>); anything else is a mistake Kafka would store and never match.</summary>
    public static bool IsPrincipal(string value) =>
        value.IndexOf(':', StringComparison.Ordinal) is > 0 and var colon && colon < value.Length - 1;

    /// <summary>A binding that allows <paramref name="operation"/> from any host.</summary>
    public static AclBinding Allow(string principal, ResourceType type, string name, ResourcePatternType pattern, AclOperation operation) => new()
    {
        Pattern = new ResourcePattern { Type = type, Name = name, ResourcePatternType = pattern },
        Entry = new AccessControlEntry { Principal = principal, Host = AnyHost, Operation = operation, PermissionType = AclPermissionType.Allow },
    };

    /// <summary>The order ACLs are shown in: by principal, resource, pattern, operation, permission, host.</summary>
    public static IOrderedEnumerable<AclBinding> Ordered(IEnumerable<AclBinding> bindings) => bindings
        .OrderBy(b => b.Entry.Principal, StringComparer.Ordinal)
        .ThenBy(b => b.Pattern.Type)
        .ThenBy(b => b.Pattern.Name, StringComparer.Ordinal)
        .ThenBy(b => b.Pattern.ResourcePatternType)
        .ThenBy(b => b.Entry.Operation)
        .ThenBy(b => b.Entry.PermissionType)
        .ThenBy(b => b.Entry.Host, StringComparer.Ordinal);
}
