using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Streams.Contracts.Topics;

namespace Streams.Operations.Acls;

/// <summary>
/// Makes a cluster's ACLs match the catalog's (<see cref="CatalogAcls"/>). The catalog manages the ACLs of its own
/// principals (<see cref="ServicePrincipals"/>), all of them: a binding one of them has that the catalog does not
/// grant is removed, so the catalog is the whole truth about what the services may do. ACLs of every other principal
/// (administrators, other applications, people) are never touched. Applying a plan and diffing again finds nothing.
/// </summary>
public static class AclPlan
{
    /// <summary>
    /// What to add (<paramref name="desired"/> missing from <paramref name="existing"/>) and remove (bindings of
    /// <paramref name="managedPrincipals"/> in <paramref name="existing"/> that are not desired): additions first,
    /// each list in <see cref="AclNames.Ordered"/> order.
    /// </summary>
    public static List<AclChange> Diff(IEnumerable<AclBinding> desired, IEnumerable<AclBinding> existing, IEnumerable<string> managedPrincipals)
    {
        ArgumentNullException.ThrowIfNull(desired);
        ArgumentNullException.ThrowIfNull(existing);
        ArgumentNullException.ThrowIfNull(managedPrincipals);
        var wanted = desired.ToHashSet();
        var present = existing.ToHashSet();
        var managed = managedPrincipals.ToHashSet(StringComparer.Ordinal);
        var undeclared = wanted.Select(b => b.Entry.Principal).Where(p => !managed.Contains(p)).Distinct(StringComparer.Ordinal).ToList();
        if (undeclared.Count > 0)
        {
            // Granting to a principal whose other ACLs are left alone would make a second run disagree with the first.
            throw new ArgumentException($"The desired ACLs name principals that are not managed: {string.Join(", ", undeclared)}.", nameof(managedPrincipals));
        }

        var additions = AclNames.Ordered(wanted.Where(b => !present.Contains(b))).Select(b => new AclChange(AclChange.Add, b));
        var removals = AclNames.Ordered(present.Where(b => managed.Contains(b.Entry.Principal) && !wanted.Contains(b))).Select(b => new AclChange(AclChange.Remove, b));
        return [.. additions, .. removals];
    }

    /// <summary>The plan that makes the cluster's ACLs match <paramref name="desired"/> for <paramref name="managedPrincipals"/>.</summary>
    /// <exception cref="OperationFailedException">The cluster cannot list its ACLs (no authorizer, not authorized, no ACL API).</exception>
    public static async Task<List<AclChange>> DiffAsync(IAdminClient admin, IEnumerable<AclBinding> desired, IEnumerable<string> managedPrincipals)
    {
        ArgumentNullException.ThrowIfNull(admin);
        var managed = managedPrincipals.ToList();
        var existing = await ClusterAcls.DescribeAsync(admin, ClusterAcls.Everything).ConfigureAwait(false);
        return Diff(desired, existing.Where(b => managed.Contains(b.Entry.Principal, StringComparer.Ordinal)), managed);
    }

    /// <summary>Creates the additions of <paramref name="changes"/>, then deletes its removals (each exactly, never by a wider filter).</summary>
    public static async Task ApplyAsync(IAdminClient admin, IReadOnlyList<AclChange> changes)
    {
        ArgumentNullException.ThrowIfNull(admin);
        ArgumentNullException.ThrowIfNull(changes);
        await ClusterAcls.CreateAsync(admin, [.. changes.Where(c => c.Action == AclChange.Add).Select(c => c.Binding)]).ConfigureAwait(false);
        await ClusterAcls.DeleteAsync(admin, [.. changes.Where(c => c.Action == AclChange.Remove).Select(c => c.Binding.ToFilter())]).ConfigureAwait(false);
    }
}
