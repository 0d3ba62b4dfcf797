using Streams.Broker.Protocol;
using Streams.Broker.Protocol.Messages;
using Streams.Broker.Security.Authorization;

namespace Streams.Broker.Apis;

/// <summary>
/// DescribeAcls (29), v0-3: v1 pattern types (prefixed, and the Any/Match filters), v2 flexible, v3 nothing new here
/// (the user resource type, which this broker does not know). Needs Describe on the cluster; SECURITY_DISABLED with
/// no authorizer, as Kafka.
/// </summary>
internal sealed class DescribeAclsApi : ApiHandler<DescribeAclsRequest, DescribeAclsResponse>
{
    public override ValueTask<DescribeAclsResponse> HandleAsync(RequestContext context, DescribeAclsRequest request)
    {
        if (context.Broker.Authorizer is not { } authorizer)
        {
            return Error(ErrorCode.SecurityDisabled, AclFilters.SecurityDisabledMessage);
        }

        if (!context.AuthorizeCluster(AclOperation.Describe))
        {
            return Error(ErrorCode.ClusterAuthorizationFailed, "Cluster authorization failed.");
        }

        var filter = AclFilters.Filter(request.ResourceTypeFilter, request.ResourceNameFilter, request.PatternTypeFilter,
            request.PrincipalFilter, request.HostFilter, request.Operation, request.PermissionType);
        if (filter.Validate() is { } invalid)
        {
            return Error(ErrorCode.InvalidRequest, invalid);
        }

        var response = new DescribeAclsResponse();
        foreach (var resource in authorizer.Describe(filter).GroupBy(b => (b.ResourceType, b.ResourceName, b.PatternType)))
        {
            response.Resources.Add(new DescribeAclsResponse.Resource
            {
                ResourceType = (sbyte)resource.Key.ResourceType,
                ResourceName = resource.Key.ResourceName,
                PatternType = (sbyte)resource.Key.PatternType,
                Acls = [.. resource.Select(b => new DescribeAclsResponse.Acl
                {
                    Principal = b.Principal,
                    Host = b.Host,
                    Operation = (sbyte)b.Operation,
                    PermissionType = (sbyte)b.Permission,
                })],
            });
        }

        return ValueTask.FromResult(response);
    }

    private static ValueTask<DescribeAclsResponse> Error(ErrorCode error, string message) =>
        ValueTask.FromResult(new DescribeAclsResponse { ErrorCode = error, ErrorMessage = message });
}
