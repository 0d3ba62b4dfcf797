using Streams.Broker.Protocol;
using Streams.Broker.Protocol.Messages;
using Streams.Broker.Security.Authorization;

namespace Streams.Broker.Apis;

/// <summary>
/// CreateAcls (30), v0-3: v1 pattern type (literal or prefixed), v2 flexible, v3 nothing new here. Needs Alter on
/// the cluster; SECURITY_DISABLED with no authorizer; an invalid binding gets INVALID_REQUEST while the others are
/// created. The ACLs are on disk before the answer.
/// </summary>
internal sealed class CreateAclsApi : ApiHandler<CreateAclsRequest, CreateAclsResponse>
{
    public override ValueTask<CreateAclsResponse> HandleAsync(RequestContext context, CreateAclsRequest request)
    {
        if (context.Broker.Authorizer is not { } authorizer)
        {
            return AllFailed(request, ErrorCode.SecurityDisabled, AclFilters.SecurityDisabledMessage);
        }

        if (!context.AuthorizeCluster(AclOperation.Alter))
        {
            return AllFailed(request, ErrorCode.ClusterAuthorizationFailed, "Cluster authorization failed.");
        }

        var bindings = request.Creations.Select(c => new AclBinding((AclResourceType)c.ResourceType, c.ResourceName,
            (AclPatternType)c.ResourcePatternType, c.Principal, c.Host, (AclOperation)c.Operation, (AclPermissionType)c.PermissionType)).ToList();
        IReadOnlyList<string?> errors;
        try
        {
            errors = authorizer.Create(bindings);
        }
        catch (IOException ex)
        {
            return AllFailed(request, ErrorCode.UnknownServerError, $"The ACLs could not be stored: {ex.Message}");
        }

        return ValueTask.FromResult(new CreateAclsResponse
        {
            Results = [.. errors.Select(e => new CreateAclsResponse.Result { ErrorCode = e is null ? ErrorCode.None : ErrorCode.InvalidRequest, ErrorMessage = e })],
        });
    }

    private static ValueTask<CreateAclsResponse> AllFailed(CreateAclsRequest request, ErrorCode error, string message) =>
        ValueTask.FromResult(new CreateAclsResponse
        {
            Results = [.. request.Creations.Select(_ => new CreateAclsResponse.Result { ErrorCode = error, ErrorMessage = message })],
        });
}
