using Confluent.Kafka;
using Confluent.Kafka.Admin;

namespace Streams.Operations.Acls;

/// <summary>
/// The cluster's ACLs through the admin client (CreateAcls, DescribeAcls, DeleteAcls), with the broker's refusals
/// turned into one line that says what to do about them.
/// </summary>
public static class ClusterAcls
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(15);

    /// <summary>A filter that matches every ACL of the cluster.</summary>
    public static AclBindingFilter Everything { get; } = new()
    {
        PatternFilter = new ResourcePatternFilter { Type = ResourceType.Any, Name = null, ResourcePatternType = ResourcePatternType.Any },
        EntryFilter = new AccessControlEntryFilter { Principal = null, Host = null, Operation = AclOperation.Any, PermissionType = AclPermissionType.Any },
    };

    /// <summary>The ACLs matching <paramref name="filter"/>, in <see cref="AclNames.Ordered"/> order.</summary>
    /// <exception cref="OperationFailedException">The broker refused (no authorizer, not authorized, no ACL API).</exception>
    public static async Task<List<AclBinding>> DescribeAsync(IAdminClient admin, AclBindingFilter filter)
    {
        ArgumentNullException.ThrowIfNull(admin);
        try
        {
            var result = await admin.DescribeAclsAsync(filter, new DescribeAclsOptions { RequestTimeout = Timeout }).ConfigureAwait(false);
            if (result.AclBindings.Count == 0)
            {
                await ProbeAuthorizerAsync(admin).ConfigureAwait(false);
            }

            return [.. AclNames.Ordered(result.AclBindings)];
        }
        catch (DescribeAclsException e)
        {
            throw Failed("Listing ACLs", e.Result.Error);
        }
        catch (KafkaException e)
        {
            throw Failed("Listing ACLs", e.Error);
        }
    }

    /// <summary>Creates <paramref name="bindings"/> (creating one that exists already is not an error, as in Kafka).</summary>
    /// <exception cref="OperationFailedException">The broker refused one of them; the message names it.</exception>
    public static async Task CreateAsync(IAdminClient admin, IReadOnlyList<AclBinding> bindings)
    {
        ArgumentNullException.ThrowIfNull(admin);
        ArgumentNullException.ThrowIfNull(bindings);
        if (bindings.Count == 0)
        {
            return;
        }

        try
        {
            await admin.CreateAclsAsync(bindings, new CreateAclsOptions { RequestTimeout = Timeout }).ConfigureAwait(false);
        }
        catch (CreateAclsException e)
        {
            var failed = e.Results.Select((r, i) => (r.Error, Binding: bindings[i])).First(r => r.Error.IsError);
            throw Failed($"Creating ACL {AclNames.Describe(failed.Binding)}", failed.Error);
        }
        catch (KafkaException e)
        {
            throw Failed("Creating ACLs", e.Error);
        }
    }

    /// <summary>Deletes every ACL matching any of <paramref name="filters"/>; returns the deleted ones.</summary>
    /// <exception cref="OperationFailedException">The broker refused.</exception>
    public static async Task<List<AclBinding>> DeleteAsync(IAdminClient admin, IReadOnlyList<AclBindingFilter> filters)
    {
        ArgumentNullException.ThrowIfNull(admin);
        ArgumentNullException.ThrowIfNull(filters);
        if (filters.Count == 0)
        {
            return [];
        }

        try
        {
            var results = await admin.DeleteAclsAsync(filters, new DeleteAclsOptions { RequestTimeout = Timeout }).ConfigureAwait(false);
            return [.. AclNames.Ordered(results.SelectMany(r => r.AclBindings).Distinct())];
        }
        catch (DeleteAclsException e)
        {
            throw Failed("Deleting ACLs", e.Results.First(r => r.Error.IsError).Error);
        }
        catch (KafkaException e)
        {
            throw Failed("Deleting ACLs", e.Error);
        }
    }

    /// <summary>
    /// librdkafka (2.16) drops DescribeAcls' response-level error, so a broker without an authorizer answers "no
    /// ACLs" instead of SECURITY_DISABLED. DeleteAcls keeps it: a filter that can match no ACL (a made-up principal
    /// on a made-up topic) deletes nothing and tells whether an authorizer is there. A principal that may list ACLs
    /// but not change them is refused with CLUSTER_AUTHORIZATION_FAILED, which also says there is an authorizer.
    /// </summary>
    private static async Task ProbeAuthorizerAsync(IAdminClient admin)
    {
        var nothing = new AclBindingFilter
        {
            PatternFilter = new ResourcePatternFilter { Type = ResourceType.Topic, Name = "streams-cli-probe-" + Guid.NewGuid().ToString("N"), ResourcePatternType = ResourcePatternType.Literal },
            EntryFilter = new AccessControlEntryFilter { Principal = "User:streams-cli-probe-" + Guid.NewGuid().ToString("N"), Host = AclNames.AnyHost, Operation = AclOperation.Read, PermissionType = AclPermissionType.Allow },
        };
        try
        {
            await admin.DeleteAclsAsync([nothing], new DeleteAclsOptions { RequestTimeout = Timeout }).ConfigureAwait(false);
        }
        catch (DeleteAclsException e) when (e.Results.Any(r => r.Error.Code == ErrorCode.SecurityDisabled))
        {
            throw Failed("Listing ACLs", e.Results.First(r => r.Error.Code == ErrorCode.SecurityDisabled).Error);
        }
        catch (DeleteAclsException)
        {
        }
    }

    /// <summary>The broker's refusal as what the operator has to change.</summary>
    public static OperationFailedException Failed(string action, Error error)
    {
        ArgumentNullException.ThrowIfNull(error);
        return new OperationFailedException(error.Code switch
        {
            ErrorCode.SecurityDisabled =>
                $"{action} failed: the broker has no authorizer configured (SECURITY_DISABLED): set authorizer.class.name (e.g. org.apache.kafka.metadata.authorizer.StandardAuthorizer) on the broker to use ACLs.",
            ErrorCode.ClusterAuthorizationFailed =>
                $"{action} failed: not authorized (CLUSTER_AUTHORIZATION_FAILED): ACLs are read with Describe and changed with Alter on the cluster; connect as a super user (super.users) or a principal granted them.",
            ErrorCode.Local_UnsupportedFeature or ErrorCode.UnsupportedVersion =>
                $"{action} failed: the broker does not support the ACL APIs (CreateAcls/DescribeAcls/DeleteAcls): {error.Reason}",
            _ => $"{action} failed: {error.Reason} ({error.Code})",
        });
    }
}
