using System.CommandLine;
using Confluent.Kafka.Admin;
using Streams.Cli.Infrastructure;
using Streams.Operations.Acls;

namespace Streams.Cli.Commands.Acls;

/// <summary>
/// kafka-acls.sh's options, shared by <c>acls add</c>, <c>remove</c> and <c>list</c>: the resources (<c>--topic</c>,
/// <c>--group</c>, <c>--cluster</c>, <c>--transactional-id</c>, each repeatable; <c>--prefixed</c> for a prefix
/// pattern), <c>--principal</c>, <c>--operation</c>, <c>--allow</c>/<c>--deny</c> and <c>--host</c>.
/// </summary>
internal sealed class AclArguments
{
    private readonly bool _filter;

    /// <param name="filter">For remove and list: everything optional, an absent option matches anything.</param>
    public AclArguments(bool filter)
    {
        _filter = filter;
        var scope = filter ? "only ACLs of this principal" : "the principal (User:name); repeatable";
        Principals = new("--principal") { Description = filter ? $"{scope}; repeatable" : scope };
        Operations = new("--operation")
        {
            Description = $"{(filter ? "Only this operation" : "Operation to allow or deny")}: {string.Join(", ", AclNames.Operations)}; repeatable",
        };
        Allow = new("--allow") { Description = filter ? "Only Allow ACLs" : "Allow the operations" };
        Deny = new("--deny") { Description = filter ? "Only Deny ACLs" : "Deny the operations (deny wins over any allow)" };
        Host = new("--host") { Description = filter ? "Only ACLs for this host" : "The client host the ACL holds for (default: *, any)" };
    }

    public Option<string[]> Principals { get; }

    public Option<string[]> Operations { get; }

    public Option<bool> Allow { get; }

    public Option<bool> Deny { get; }

    public Option<string?> Host { get; }

    public Option<string[]> Topics { get; } = new("--topic") { Description = "Topic name (or prefix with --prefixed); repeatable" };

    public Option<string[]> Groups { get; } = new("--group") { Description = "Consumer group id (or prefix with --prefixed); repeatable" };

    public Option<bool> Cluster { get; } = new("--cluster") { Description = "The cluster resource (kafka-cluster)" };

    public Option<string[]> TransactionalIds { get; } = new("--transactional-id") { Description = "Transactional id (or prefix with --prefixed); repeatable" };

    public Option<bool> Prefixed { get; } = new("--prefixed") { Description = "The names are prefixes (Kafka's PREFIXED pattern type) rather than literal names" };

    public void AddTo(Command command)
    {
        foreach (var option in new Option[] { Principals, Operations, Allow, Deny, Host, Topics, Groups, Cluster, TransactionalIds, Prefixed })
        {
            command.Add(option);
        }

        command.Validators.Add(result =>
        {
            if (result.GetValue(Allow) && result.GetValue(Deny))
            {
                result.AddError("give --allow or --deny, not both");
            }

            if (!_filter && !result.GetValue(Allow) && !result.GetValue(Deny))
            {
                result.AddError("give --allow or --deny");
            }

            var principals = result.GetValue(Principals) ?? [];
            if (!_filter && principals.Length == 0)
            {
                result.AddError("give --principal User:<name>");
            }

            foreach (var principal in principals.Where(p => !AclNames.IsPrincipal(p)))
            {
                result.AddError($"--principal '{principal}' is not Type:name (User:alice)");
            }

            var operations = result.GetValue(Operations) ?? [];
            if (!_filter && operations.Length == 0)
            {
                result.AddError("give --operation (repeatable)");
            }

            foreach (var operation in operations.Where(o => !AclNames.TryParseOperation(o, out _)))
            {
                result.AddError($"--operation '{operation}' is not one of {string.Join(", ", AclNames.Operations)}");
            }

            var resources = (result.GetValue(Topics)?.Length ?? 0) + (result.GetValue(Groups)?.Length ?? 0)
                + (result.GetValue(TransactionalIds)?.Length ?? 0) + (result.GetValue(Cluster) ? 1 : 0);
            if (!_filter && resources == 0)
            {
                result.AddError("give a resource: --topic, --group, --cluster or --transactional-id");
            }

            if (result.GetValue(Prefixed) && resources == (result.GetValue(Cluster) ? 1 : 0) && !_filter)
            {
                result.AddError("--prefixed needs --topic, --group or --transactional-id");
            }
        });
    }

    /// <summary>The resources named, each with its pattern type (the cluster is always literal).</summary>
    public List<(ResourceType Type, string Name, ResourcePatternType Pattern)> Resources(ParseResult parse)
    {
        var pattern = parse.GetValue(Prefixed) ? ResourcePatternType.Prefixed : ResourcePatternType.Literal;
        var resources = new List<(ResourceType, string, ResourcePatternType)>();
        resources.AddRange((parse.GetValue(Topics) ?? []).Select(t => (ResourceType.Topic, t, pattern)));
        resources.AddRange((parse.GetValue(Groups) ?? []).Select(g => (ResourceType.Group, g, pattern)));
        resources.AddRange((parse.GetValue(TransactionalIds) ?? []).Select(t => (AclNames.TransactionalId, t, pattern)));
        if (parse.GetValue(Cluster))
        {
            resources.Add((ResourceType.Broker, AclNames.ClusterName, ResourcePatternType.Literal));
        }

        return resources;
    }

    public List<AclOperation> ParseOperations(ParseResult parse) =>
        [.. (parse.GetValue(Operations) ?? []).Select(o => AclNames.TryParseOperation(o, out var operation) ? operation.Value : throw CliException.Usage($"unknown operation '{o}'")).Distinct()];

    /// <summary>Allow or Deny; Any for a filter given neither.</summary>
    public AclPermissionType Permission(ParseResult parse) =>
        parse.GetValue(Allow) ? AclPermissionType.Allow : parse.GetValue(Deny) ? AclPermissionType.Deny : AclPermissionType.Any;

    /// <summary>
    /// The filters the options describe: one per resource, principal and operation given; an absent option matches
    /// anything. Without <c>--prefixed</c> a named resource matches its literal and prefixed ACLs of exactly that name.
    /// </summary>
    public List<AclBindingFilter> Filters(ParseResult parse)
    {
        var prefixed = parse.GetValue(Prefixed);
        var resources = Resources(parse)
            .Select(r => new ResourcePatternFilter { Type = r.Type, Name = r.Name, ResourcePatternType = prefixed ? ResourcePatternType.Prefixed : ResourcePatternType.Any })
            .ToList();
        if (resources.Count == 0)
        {
            resources.Add(new ResourcePatternFilter { Type = ResourceType.Any, Name = null, ResourcePatternType = prefixed ? ResourcePatternType.Prefixed : ResourcePatternType.Any });
        }

        var principals = parse.GetValue(Principals) is { Length: > 0 } given ? given.Cast<string?>().ToArray() : [null];
        AclOperation[] operations = ParseOperations(parse) is { Count: > 0 } named ? [.. named] : [AclOperation.Any];
        var permission = Permission(parse);
        var host = parse.GetValue(Host);
        return [.. from resource in resources
                   from principal in principals
                   from operation in operations
                   select new AclBindingFilter
                   {
                       PatternFilter = resource,
                       EntryFilter = new AccessControlEntryFilter { Principal = principal, Host = host, Operation = operation, PermissionType = permission },
                   }];
    }

    /// <summary>The bindings <c>acls add</c> creates: every resource, principal and operation given.</summary>
    public List<AclBinding> Bindings(ParseResult parse)
    {
        var permission = Permission(parse);
        var host = parse.GetValue(Host) ?? AclNames.AnyHost;
        return [.. from resource in Resources(parse)
                   from principal in parse.GetValue(Principals)!
                   from operation in ParseOperations(parse)
                   select new AclBinding
                   {
                       Pattern = new ResourcePattern { Type = resource.Type, Name = resource.Name, ResourcePatternType = resource.Pattern },
                       Entry = new AccessControlEntry { Principal = principal, Host = host, Operation = operation, PermissionType = permission },
                   }];
    }
}
