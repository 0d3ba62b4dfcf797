using Microsoft.Extensions.Logging;
using Streams.Broker.Configs;
using Streams.Broker.Protocol;

namespace Streams.Broker.Security.Authorization;

/// <summary>
/// The broker's authorizer, on when <c>authorizer.class.name</c> is set: Kafka's ACL semantics (super users, deny
/// before allow, implied operations, <c>allow.everyone.if.no.acl.found</c>) over an <see cref="AclSnapshot"/> that
/// checks read without locks, and an <see cref="AclStore"/> that keeps the ACLs across restarts. Changes are
/// serialized by one lock, stored, then published as a new snapshot.
/// </summary>
internal sealed partial class AclAuthorizer
{
    private readonly Lock _writeLock = new();
    private readonly AclStore _store;
    private readonly HashSet<KafkaPrincipal> _superUsers;
    private readonly bool _allowIfNoAcl;
    private readonly ILogger _audit;
    private volatile AclSnapshot _snapshot;

    public AclAuthorizer(AuthorizerSettings settings, string metaDirectory, ILoggerFactory loggerFactory)
    {
        ArgumentNullException.ThrowIfNull(settings);
        _store = new AclStore(metaDirectory);
        _superUsers = [.. settings.SuperUsers];
        _allowIfNoAcl = settings.AllowEveryoneIfNoAclFound;
        _snapshot = new AclSnapshot(_store.Load());
        _audit = loggerFactory.CreateLogger(SecurityAudit.AuthorizerCategory);
        LogEnabled(loggerFactory.CreateLogger<AclAuthorizer>(), settings.ClassName, _snapshot.Bindings.Count, _store.Path,
            string.Join(';', settings.SuperUsers), _allowIfNoAcl);
    }

    /// <summary>The authorizer the settings ask for, or null when authorization is off (no <c>authorizer.class.name</c>).</summary>
    public static AclAuthorizer? Create(BrokerConfig config, string metaDirectory, ILoggerFactory loggerFactory)
    {
        ArgumentNullException.ThrowIfNull(config);
        return config.Authorizer.Enabled ? new AclAuthorizer(config.Authorizer, metaDirectory, loggerFactory) : null;
    }

    public IReadOnlyList<AclBinding> Acls => _snapshot.Bindings;

    public bool IsSuperUser(KafkaPrincipal principal) => _superUsers.Contains(principal);

    /// <summary>
    /// Whether <paramref name="principal"/>, connected from <paramref name="host"/> (an IP address), may perform
    /// <paramref name="operation"/> on a resource, logged to the audit trail as Kafka's authorizer logs (with
    /// <paramref name="refCount"/>, how many times the request names the resource: Kafka's resourceRefCount).
    /// </summary>
    public bool Authorize(KafkaPrincipal principal, string host, AclOperation operation, AclResourceType type, string name,
        ApiKey api, int refCount = 1, bool logIfAllowed = true, bool logIfDenied = true)
    {
        var allowed = IsSuperUser(principal) || _snapshot.Authorize(principal, host, operation, type, name, _allowIfNoAcl);
        if (allowed ? logIfAllowed && _audit.IsEnabled(LogLevel.Debug) : logIfDenied && _audit.IsEnabled(LogLevel.Information))
        {
            var resource = AclBinding.DescribeResource(type, AclPatternType.Literal, name);
            if (allowed)
            {
                LogAllowed(_audit, principal, operation, host, resource, api, refCount);
            }
            else
            {
                LogDenied(_audit, principal, operation, host, resource, api, refCount);
            }
        }

        return allowed;
    }

    /// <summary>Whether the principal may perform the operation on some resource of the type (KIP-679), not logged.</summary>
    public bool AuthorizeByResourceType(KafkaPrincipal principal, string host, AclOperation operation, AclResourceType type) =>
        IsSuperUser(principal) || _snapshot.AuthorizeByResourceType(principal, host, operation, type, _allowIfNoAcl);

    /// <summary>
    /// The bit set of operations the principal may perform on the resource, for Metadata, DescribeGroups and
    /// DescribeCluster (bit n set = operation n allowed), checked without audit lines as Kafka does.
    /// </summary>
    public int AuthorizedOperations(KafkaPrincipal principal, string host, AclResourceType type, string name, ApiKey api)
    {
        var bits = 0;
        foreach (var operation in SupportedOperations(type))
        {
            if (Authorize(principal, host, operation, type, name, api, logIfAllowed: false, logIfDenied: false))
            {
                bits |= 1 << (int)operation;
            }
        }

        return bits;
    }

    /// <summary>The operations Kafka defines for each resource type (its <c>AclEntry.supportedOperations</c>).</summary>
    public static IReadOnlyList<AclOperation> SupportedOperations(AclResourceType type) => type switch
    {
        AclResourceType.Topic => TopicOperations,
        AclResourceType.Group => GroupOperations,
        AclResourceType.Cluster => ClusterOperations,
        AclResourceType.TransactionalId => [AclOperation.Describe, AclOperation.Write],
        AclResourceType.DelegationToken => [AclOperation.Describe],
        _ => [],
    };

    private static readonly AclOperation[] TopicOperations =
    [
        AclOperation.Read, AclOperation.Write, AclOperation.Create, AclOperation.Describe, AclOperation.Delete, AclOperation.Alter,
        AclOperation.DescribeConfigs, AclOperation.AlterConfigs,
    ];

    private static readonly AclOperation[] GroupOperations = [AclOperation.Read, AclOperation.Describe, AclOperation.Delete];

    private static readonly AclOperation[] ClusterOperations =
    [
        AclOperation.Create, AclOperation.ClusterAction, AclOperation.DescribeConfigs, AclOperation.AlterConfigs, AclOperation.IdempotentWrite,
        AclOperation.Alter, AclOperation.Describe,
    ];

    /// <summary>The bit set of every operation Kafka supports on a resource type: what it reports when no authorizer runs.</summary>
    public static int AllOperations(AclResourceType type) => SupportedOperations(type).Aggregate(0, (bits, op) => bits | (1 << (int)op));

    /// <summary>The ACLs a filter selects.</summary>
    public IReadOnlyList<AclBinding> Describe(AclBindingFilter filter) => [.. _snapshot.Bindings.Where(filter.Matches)];

    /// <summary>
    /// Adds the valid bindings (an existing identical ACL is kept once) and stores the set; the result holds, per
    /// binding, null or why it was refused (INVALID_REQUEST).
    /// </summary>
    /// <exception cref="IOException">The ACLs could not be stored; nothing changed.</exception>
    public IReadOnlyList<string?> Create(IReadOnlyList<AclBinding> bindings)
    {
        var errors = bindings.Select(b => b.Validate()).ToArray();
        lock (_writeLock)
        {
            var current = _snapshot.Bindings;
            var set = new HashSet<AclBinding>(current);
            var added = bindings.Where((b, i) => errors[i] is null && set.Add(b)).ToList();
            if (added.Count > 0)
            {
                Publish([.. current, .. added]);
            }
        }

        return errors;
    }

    /// <summary>Removes every ACL each filter matches and stores the set; the result holds, per filter, what it removed.</summary>
    /// <exception cref="IOException">The ACLs could not be stored; nothing changed.</exception>
    public IReadOnlyList<IReadOnlyList<AclBinding>> Delete(IReadOnlyList<AclBindingFilter> filters)
    {
        lock (_writeLock)
        {
            var current = _snapshot.Bindings;
            var removed = filters.Select(f => (IReadOnlyList<AclBinding>)[.. current.Where(f.Matches)]).ToList();
            var gone = removed.SelectMany(r => r).ToHashSet();
            if (gone.Count > 0)
            {
                Publish([.. current.Where(b => !gone.Contains(b))]);
            }

            return removed;
        }
    }

    private void Publish(List<AclBinding> acls)
    {
        _store.Save(acls);
        _snapshot = new AclSnapshot(acls);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Authorization on ({AuthorizerClass}): {Count} ACLs from {Path}, super.users '{SuperUsers}', allow.everyone.if.no.acl.found={AllowIfNoAcl}")]
    private static partial void LogEnabled(ILogger logger, string authorizerClass, int count, string path, string superUsers, bool allowIfNoAcl);

    [LoggerMessage(Level = LogLevel.Information, Message = "Principal = {Principal} is Denied operation = {Operation} from host = {Host} on resource = {Resource} for request = {Request} with resourceRefCount = {ResourceRefCount}")]
    private static partial void LogDenied(ILogger logger, KafkaPrincipal principal, AclOperation operation, string host, string resource, ApiKey request, int resourceRefCount);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Principal = {Principal} is Allowed operation = {Operation} from host = {Host} on resource = {Resource} for request = {Request} with resourceRefCount = {ResourceRefCount}")]
    private static partial void LogAllowed(ILogger logger, KafkaPrincipal principal, AclOperation operation, string host, string resource, ApiKey request, int resourceRefCount);
}
