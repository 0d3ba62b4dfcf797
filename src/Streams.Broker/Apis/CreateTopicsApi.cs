using Streams.Broker.Protocol;
using Streams.Broker.Protocol.Messages;

namespace Streams.Broker.Apis;

/// <summary>
/// CreateTopics (19), v2-4: v4 lets NumPartitions and ReplicationFactor be -1 for the broker defaults (Streamiz
/// relies on it). The topic exists in Metadata before the response goes out, because Streamiz checks right away.
/// </summary>
internal sealed class CreateTopicsApi : ApiHandler<CreateTopicsRequest, CreateTopicsResponse>
{
    public override ValueTask<CreateTopicsResponse> HandleAsync(RequestContext context, CreateTopicsRequest request)
    {
        var duplicates = request.Topics.GroupBy(t => t.Name, StringComparer.Ordinal).Where(g => g.Count() > 1).Select(g => g.Key).ToHashSet(StringComparer.Ordinal);
        var response = new CreateTopicsResponse();
        foreach (var topic in request.Topics)
        {
            var (error, message) = duplicates.Contains(topic.Name)
                ? (ErrorCode.InvalidRequest, $"Create topics request from client contains a duplicate topic: {topic.Name}")
                : Create(context.Broker, topic, request.ValidateOnly);
            response.Topics.Add(new CreateTopicsResponse.Topic { Name = topic.Name, ErrorCode = error, ErrorMessage = message });
        }

        return ValueTask.FromResult(response);
    }

    private static (ErrorCode, string?) Create(BrokerContext broker, CreateTopicsRequest.Topic topic, bool validateOnly)
    {
        var partitions = topic.NumPartitions;
        if (topic.Assignments.Count > 0)
        {
            if (topic.NumPartitions != -1 || topic.ReplicationFactor != -1)
            {
                return (ErrorCode.InvalidRequest, "Both numPartitions or replicationFactor and replicasAssignments were set. Both cannot be used at the same time.");
            }

            var ids = topic.Assignments.Select(a => a.PartitionIndex).Order().ToList();
            if (!ids.SequenceEqual(Enumerable.Range(0, ids.Count)) || topic.Assignments.Any(a => a.BrokerIds.Count != 1 || a.BrokerIds[0] != broker.NodeId))
            {
                return (ErrorCode.InvalidReplicaAssignment, $"Replica assignments must name partitions 0..n-1, each on broker {broker.NodeId} only.");
            }

            partitions = ids.Count;
        }
        else
        {
            if (partitions == -1)
            {
                partitions = broker.Config.DefaultPartitions;
            }

            if (topic.ReplicationFactor is 0 or < -1)
            {
                return (ErrorCode.InvalidReplicationFactor, "Replication factor must be larger than 0, or -1 to use the default value.");
            }

            if (topic.ReplicationFactor > 1)
            {
                return (ErrorCode.InvalidReplicationFactor, $"Unable to replicate the partition {topic.ReplicationFactor} time(s): The target replication factor of {topic.ReplicationFactor} cannot be reached because only 1 broker(s) are registered.");
            }
        }

        if (topic.Configs.Any(c => c.Value is null))
        {
            return (ErrorCode.InvalidConfig, "Null value not supported for topic configs: " + string.Join(",", topic.Configs.Where(c => c.Value is null).Select(c => c.Name)));
        }

        var configs = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var config in topic.Configs)
        {
            configs[config.Name] = config.Value;
        }

        var result = broker.Logs.CreateTopic(topic.Name, partitions, configs, validateOnly);
        return (result.Error, result.Message);
    }
}
