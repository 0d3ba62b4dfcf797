namespace Streams.Broker.Security.Authorization;

/// <summary>
/// An immutable index of every ACL, replaced whole when ACLs change so checks read it without locks. Per resource
/// type: literal names (the <c>*</c> wildcard among them) in a dictionary, prefixes in a dictionary probed once per
/// distinct prefix length with a slice of the requested name (no substring is allocated), so a check costs a few
/// hash lookups however many ACLs exist.
/// </summary>
internal sealed class AclSnapshot
{
    private static readonly AclEntry[] None = [];
    private readonly TypeIndex?[] _byType = new TypeIndex?[(int)AclResourceType.DelegationToken + 1];

    public static readonly AclSnapshot Empty = new([]);

    public AclSnapshot(IReadOnlyList<AclBinding> bindings)
    {
        Bindings = bindings;
        foreach (var group in bindings.GroupBy(b => b.ResourceType))
        {
            _byType[(int)group.Key] = new TypeIndex(group);
        }
    }

    /// <summary>Every ACL, in the order they were created.</summary>
    public IReadOnlyList<AclBinding> Bindings { get; }

    /// <summary>
    /// Kafka's decision for one action: a matching DENY refuses; else a matching ALLOW (or one implying the operation)
    /// grants; else, when no ACL at all names the resource, <paramref name="allowIfNoAcl"/> decides.
    /// </summary>
    public bool Authorize(KafkaPrincipal principal, string host, AclOperation operation, AclResourceType type, string name, bool allowIfNoAcl)
    {
        if (_byType[(int)type] is not { } index)
        {
            return allowIfNoAcl;
        }

        var found = false;
        var allowed = false;
        if (!Check(index.Literal.GetValueOrDefault(name, None), principal, host, operation, ref found, ref allowed)
            || !Check(index.Literal.GetValueOrDefault(AclBinding.Wildcard, None), principal, host, operation, ref found, ref allowed))
        {
            return false;
        }

        foreach (var length in index.PrefixLengths)
        {
            if (length > name.Length)
            {
                break;
            }

            if (index.PrefixLookup.TryGetValue(name.AsSpan(0, length), out var entries) && !Check(entries, principal, host, operation, ref found, ref allowed))
            {
                return false;
            }
        }

        return found ? allowed : allowIfNoAcl;
    }

    /// <summary>False on a matching DENY; otherwise records whether any ACL names the resource and whether one allows.</summary>
    private static bool Check(AclEntry[] entries, KafkaPrincipal principal, string host, AclOperation operation, ref bool found, ref bool allowed)
    {
        found |= entries.Length > 0;
        foreach (var entry in entries)
        {
            if (!entry.AppliesTo(principal, host))
            {
                continue;
            }

            if (entry.IsDeny)
            {
                if (AclEntry.DenyCovers(entry.Operation, operation))
                {
                    return false;
                }
            }
            else if (!allowed && AclEntry.AllowImplies(entry.Operation, operation))
            {
                allowed = true;
            }
        }

        return true;
    }

    /// <summary>
    /// KIP-679's "may this principal perform the operation on some resource of the type" (Kafka's
    /// <c>authorizeByResourceType</c>, used for idempotent producers): an ALLOW on any pattern that no DENY on the same
    /// or a wider pattern cancels.
    /// </summary>
    public bool AuthorizeByResourceType(KafkaPrincipal principal, string host, AclOperation operation, AclResourceType type, bool allowIfNoAcl)
    {
        if (_byType[(int)type] is not { } index)
        {
            return allowIfNoAcl;
        }

        var applicable = index.All.Where(e => e.AppliesTo(principal, host)).ToList();
        var denies = applicable.Where(e => e.IsDeny && AclEntry.DenyCovers(e.Operation, operation)).Select(e => e.Binding).ToList();
        if (denies.Any(d => d.PatternType == AclPatternType.Literal && d.ResourceName == AclBinding.Wildcard))
        {
            return false;
        }

        return applicable
            .Where(e => !e.IsDeny && AclEntry.AllowImplies(e.Operation, operation))
            .Any(allow => !denies.Any(deny => Covers(deny, allow.Binding)));
    }

    private static bool Covers(AclBinding deny, AclBinding allow) => deny.PatternType switch
    {
        AclPatternType.Literal => allow.PatternType == AclPatternType.Literal && allow.ResourceName == deny.ResourceName,
        _ => allow.ResourceName.StartsWith(deny.ResourceName, StringComparison.Ordinal),
    };

    private sealed class TypeIndex
    {
        public TypeIndex(IEnumerable<AclBinding> bindings)
        {
            All = [.. bindings.Select(b => new AclEntry(b))];
            Literal = All.Where(e => e.Binding.PatternType == AclPatternType.Literal)
                .GroupBy(e => e.Binding.ResourceName, StringComparer.Ordinal)
                .ToDictionary(g => g.Key, g => g.ToArray(), StringComparer.Ordinal);
            var prefixed = All.Where(e => e.Binding.PatternType == AclPatternType.Prefixed)
                .GroupBy(e => e.Binding.ResourceName, StringComparer.Ordinal)
                .ToDictionary(g => g.Key, g => g.ToArray(), StringComparer.Ordinal);
            PrefixLookup = prefixed.GetAlternateLookup<ReadOnlySpan<char>>();
            PrefixLengths = [.. prefixed.Keys.Select(k => k.Length).Distinct().Order()];
        }

        public AclEntry[] All { get; }

        public Dictionary<string, AclEntry[]> Literal { get; }

        public Dictionary<string, AclEntry[]>.AlternateLookup<ReadOnlySpan<char>> PrefixLookup { get; }

        /// <summary>The distinct prefix lengths, ascending.</summary>
        public int[] PrefixLengths { get; }
    }
}
