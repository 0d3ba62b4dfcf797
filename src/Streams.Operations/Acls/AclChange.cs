using System.Text.Json.Serialization;
using Confluent.Kafka.Admin;

namespace Streams.Operations.Acls;

/// <summary>One difference between the ACLs the catalog grants and the cluster's, and what <see cref="AclPlan"/> does about it.</summary>
/// <param name="Action"><see cref="Add"/> or <see cref="Remove"/>.</param>
/// <param name="Binding">The ACL to create or delete.</param>
public sealed record AclChange(string Action, [property: JsonIgnore] AclBinding Binding)
{
    /// <summary>The catalog grants it and the cluster lacks it: create it.</summary>
    public const string Add = "add";

    /// <summary>The cluster has it for a principal the catalog manages, and the catalog does not grant it: delete it.</summary>
    public const string Remove = "remove";

    /// <summary>The principal (<c>User:streams-audit</c>).</summary>
    public string Principal => Binding.Entry.Principal;

    /// <summary>Allow or Deny.</summary>
    public string Permission => Binding.Entry.PermissionType.ToString();

    /// <summary>The operation (Read, Write, ...).</summary>
    public string Operation => Binding.Entry.Operation.ToString();

    /// <summary>Topic, Group, Cluster or TransactionalId.</summary>
    public string ResourceType => AclNames.Format(Binding.Pattern.Type);

    /// <summary>The resource name, or its prefix.</summary>
    public string Resource => Binding.Pattern.Name;

    /// <summary>LITERAL or PREFIXED.</summary>
    public string Pattern => AclNames.Format(Binding.Pattern.ResourcePatternType);

    /// <summary>The host the ACL holds for (<c>*</c>: any).</summary>
    public string Host => Binding.Entry.Host;
}
