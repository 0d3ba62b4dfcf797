using Streams.Broker.Protocol;
using Streams.Broker.Security.Authorization;

namespace Streams.Broker.Apis;

/// <summary>
/// Kafka's rule for config resources: a topic's configs need the operation on the topic (TOPIC_AUTHORIZATION_FAILED),
/// a broker's or broker logger's need it on the cluster (CLUSTER_AUTHORIZATION_FAILED).
/// </summary>
internal static class ConfigAuthorization
{
    /// <summary>The refusal for the resource, or null when the principal may go on (or the type is for the handler to refuse).</summary>
    public static (ErrorCode Error, string Message)? Check(RequestContext context, ConfigResourceType type, string name, AclOperation operation) => type switch
    {
        ConfigResourceType.Topic when !context.Authorize(operation, AclResourceType.Topic, name) =>
            (ErrorCode.TopicAuthorizationFailed, "Authorization failed."),
        ConfigResourceType.Broker or ConfigResourceType.BrokerLogger when !context.AuthorizeCluster(operation) =>
            (ErrorCode.ClusterAuthorizationFailed, "Cluster authorization failed."),
        _ => null,
    };
}
