using Streams.Broker.Protocol;
using Streams.Broker.Protocol.Messages;
using Streams.Broker.Security.Authorization;

namespace Streams.Broker.Apis;

/// <summary>
/// ElectLeaders (43), v0-2: v1 ElectionType (0 preferred, 1 unclean) and a top-level error code, v2 flexible. On one
/// node every partition is already led by its only, preferred replica, so each named partition answers
/// ELECTION_NOT_NEEDED and an unknown one UNKNOWN_TOPIC_OR_PARTITION; asking for all partitions (null) answers with
/// none, as Kafka leaves out the ones that needed no election. Needs Alter on the cluster.
/// </summary>
internal sealed class ElectLeadersApi : ApiHandler<ElectLeadersRequest, ElectLeadersResponse>
{
    public override ValueTask<ElectLeadersResponse> HandleAsync(RequestContext context, ElectLeadersRequest request)
    {
        var response = new ElectLeadersResponse();
        if (request.ElectionType is not (0 or 1))
        {
            response.ErrorCode = ErrorCode.InvalidRequest;
            return ValueTask.FromResult(response);
        }

        var allowed = context.AuthorizeCluster(AclOperation.Alter);
        if (!allowed)
        {
            response.ErrorCode = ErrorCode.ClusterAuthorizationFailed;
        }

        foreach (var topic in (request.TopicPartitions ?? []).GroupBy(t => t.Topic, StringComparer.Ordinal))
        {
            response.ReplicaElectionResults.Add(new ElectLeadersResponse.ReplicaElectionResult
            {
                Topic = topic.Key,
                PartitionResult = [.. topic.SelectMany(t => t.Partitions).Distinct().Select(p => Result(context.Broker, topic.Key, p, allowed))],
            });
        }

        return ValueTask.FromResult(response);
    }

    private static ElectLeadersResponse.PartitionResult Result(BrokerContext broker, string topic, int partition, bool allowed)
    {
        var (error, message) = !allowed ? (ErrorCode.ClusterAuthorizationFailed, "Authorization failed.")
            : broker.Logs.GetPartition(topic, partition) is null ? (ErrorCode.UnknownTopicOrPartition, $"The partition {topic}-{partition} does not exist.")
            : (ErrorCode.ElectionNotNeeded, $"Leader election not needed for topic partition {topic}-{partition}: its only replica, broker {broker.NodeId}, leads it.");
        return new ElectLeadersResponse.PartitionResult { PartitionId = partition, ErrorCode = error, ErrorMessage = message };
    }
}
