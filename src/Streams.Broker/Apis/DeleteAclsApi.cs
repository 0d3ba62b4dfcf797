using Streams.Broker.Protocol;
using Streams.Broker.Protocol.Messages;
using Streams.Broker.Security.Authorization;

namespace Streams.Broker.Apis;

/// <summary>
/// DeleteAcls (31), v0-3: v1 pattern types in filters, v2 flexible, v3 nothing new here. Needs Alter on the cluster;
/// SECURITY_DISABLED with no authorizer; an invalid filter gets INVALID_REQUEST and deletes nothing. Each filter's
/// result lists the ACLs it removed.
/// </summary>
internal sealed class DeleteAclsApi : ApiHandler<DeleteAclsRequest, DeleteAclsResponse>
{
    public override ValueTask<DeleteAclsResponse> HandleAsync(RequestContext context, DeleteAclsRequest request)
    {
        if (context.Broker.Authorizer is not { } authorizer)
        {
            return AllFailed(request, ErrorCode.SecurityDisabled, AclFilters.SecurityDisabledMessage);
        }

        if (!context.AuthorizeCluster(AclOperation.Alter))
        {
            return AllFailed(request, ErrorCode.ClusterAuthorizationFailed, "Cluster authorization failed.");
        }

        var filters = request.Filters.Select(f => AclFilters.Filter(f.ResourceTypeFilter, f.ResourceNameFilter, f.PatternTypeFilter,
            f.PrincipalFilter, f.HostFilter, f.Operation, f.PermissionType)).ToList();
        var errors = filters.Select(f => f.Validate()).ToList();
        IReadOnlyList<IReadOnlyList<AclBinding>> removed;
        try
        {
            // An invalid filter matches nothing: deleting by a filter whose meaning is unknown could remove DENY rules.
            removed = authorizer.Delete([.. filters.Where((_, i) => errors[i] is null)]);
        }
        catch (IOException ex)
        {
            return AllFailed(request, ErrorCode.UnknownServerError, $"The ACLs could not be stored: {ex.Message}");
        }

        var response = new DeleteAclsResponse();
        var next = 0;
        foreach (var error in errors)
        {
            response.FilterResults.Add(error is not null
                ? new DeleteAclsResponse.FilterResult { ErrorCode = ErrorCode.InvalidRequest, ErrorMessage = error }
                : new DeleteAclsResponse.FilterResult
                {
                    MatchingAcls = [.. removed[next++].Select(b => new DeleteAclsResponse.MatchingAcl
                    {
                        ResourceType = (sbyte)b.ResourceType,
                        ResourceName = b.ResourceName,
                        PatternType = (sbyte)b.PatternType,
                        Principal = b.Principal,
                        Host = b.Host,
                        Operation = (sbyte)b.Operation,
                        PermissionType = (sbyte)b.Permission,
                    })],
                });
        }

        return ValueTask.FromResult(response);
    }

    private static ValueTask<DeleteAclsResponse> AllFailed(DeleteAclsRequest request, ErrorCode error, string message) =>
        ValueTask.FromResult(new DeleteAclsResponse
        {
            FilterResults = [.. request.Filters.Select(_ => new DeleteAclsResponse.FilterResult { ErrorCode = error, ErrorMessage = message })],
        });
}
