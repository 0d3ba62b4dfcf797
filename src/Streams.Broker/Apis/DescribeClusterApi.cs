using Streams.Broker.Protocol;
using Streams.Broker.Protocol.Messages;
using Streams.Broker.Security.Authorization;

namespace Streams.Broker.Apis;

/// <summary>
/// DescribeCluster (60), v0-1, flexible: v1 EndpointType (only brokers are described; asking for controllers gets
/// UNSUPPORTED_ENDPOINT_TYPE). Authorized operations, when asked for, need Describe on the cluster (else 0), as Kafka.
/// </summary>
internal sealed class DescribeClusterApi : ApiHandler<DescribeClusterRequest, DescribeClusterResponse>
{
    private const sbyte BrokersEndpoint = 1;

    // Kafka's UNSUPPORTED_ENDPOINT_TYPE (a KRaft controller-only error); not worth a name in ErrorCode.
    private const ErrorCode UnsupportedEndpointType = (ErrorCode)120;

    public override ValueTask<DescribeClusterResponse> HandleAsync(RequestContext context, DescribeClusterRequest request)
    {
        var broker = context.Broker;
        if (request.EndpointType != BrokersEndpoint)
        {
            return ValueTask.FromResult(new DescribeClusterResponse
            {
                ErrorCode = UnsupportedEndpointType,
                ErrorMessage = "The request was sent to a broker endpoint, but asked for controllers",
                ClusterId = broker.ClusterId,
                EndpointType = request.EndpointType,
            });
        }

        var operations = !request.IncludeClusterAuthorizedOperations ? int.MinValue
            : context.AuthorizeCluster(AclOperation.Describe) ? context.AuthorizedOperations(AclResourceType.Cluster, AclBinding.ClusterName)
            : 0;
        return ValueTask.FromResult(new DescribeClusterResponse
        {
            ClusterId = broker.ClusterId,
            ControllerId = broker.NodeId,
            EndpointType = BrokersEndpoint,
            Brokers = [new DescribeClusterResponse.Broker { BrokerId = broker.NodeId, Host = context.AdvertisedHost, Port = context.AdvertisedPort }],
            ClusterAuthorizedOperations = operations,
        });
    }
}
