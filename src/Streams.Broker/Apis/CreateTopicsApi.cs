using Streams.Broker.Protocol;

namespace Streams.Broker.Apis;

/// <summary>
/// CreateTopics (19), v2-4: v4 lets NumPartitions and ReplicationFactor be -1 for the broker defaults (Streamiz
/// relies on it). The topic exists in Metadata before the response goes out, because Streamiz checks right away.
/// </summary>
internal sealed class CreateTopicsApi : ApiHandler
{
    public override ApiKey Key => ApiKey.CreateTopics;

    public override short MinVersion => 2;

    public override short MaxVersion => 4;

    public override ValueTask HandleAsync(RequestContext context, KafkaReader request, KafkaWriter response)
    {
        var topics = request.ReadArray((ref KafkaReader t) => new TopicRequest(
            t.ReadString(),
            t.ReadInt32(),
            t.ReadInt16(),
            t.ReadArray((ref KafkaReader a) => (a.ReadInt32(), a.ReadArray((ref KafkaReader b) => b.ReadInt32()))),
            t.ReadArray((ref KafkaReader c) => new KeyValuePair<string, string?>(c.ReadString(), c.ReadNullableString()))));
        request.ReadInt32();
        var validateOnly = request.ReadBool();

        var duplicates = topics.GroupBy(t => t.Name, StringComparer.Ordinal).Where(g => g.Count() > 1).Select(g => g.Key).ToHashSet(StringComparer.Ordinal);
        response.WriteInt32(0);
        response.WriteArrayLength(topics.Count);
        foreach (var topic in topics)
        {
            var (error, message) = duplicates.Contains(topic.Name)
                ? (ErrorCode.InvalidRequest, $"Create topics request from client contains a duplicate topic: {topic.Name}")
                : Create(context.Broker, topic, validateOnly);
            response.WriteString(topic.Name);
            response.WriteErrorCode(error);
            response.WriteNullableString(message);
        }

        return ValueTask.CompletedTask;
    }

    private static (ErrorCode, string?) Create(BrokerContext broker, TopicRequest topic, bool validateOnly)
    {
        var partitions = topic.NumPartitions;
        if (topic.Assignments.Count > 0)
        {
            if (topic.NumPartitions != -1 || topic.ReplicationFactor != -1)
            {
                return (ErrorCode.InvalidRequest, "Both numPartitions or replicationFactor and replicasAssignments were set. Both cannot be used at the same time.");
            }

            var ids = topic.Assignments.Select(a => a.Partition).Order().ToList();
            if (!ids.SequenceEqual(Enumerable.Range(0, ids.Count)) || topic.Assignments.Any(a => a.Brokers.Count != 1 || a.Brokers[0] != broker.NodeId))
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
            return (ErrorCode.InvalidConfig, "Null value not supported for topic configs: " + string.Join(",", topic.Configs.Where(c => c.Value is null).Select(c => c.Key)));
        }

        var configs = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var (name, value) in topic.Configs)
        {
            configs[name] = value;
        }

        var result = broker.Logs.CreateTopic(topic.Name, partitions, configs, validateOnly);
        return (result.Error, result.Message);
    }

    private sealed record TopicRequest(string Name, int NumPartitions, short ReplicationFactor, List<(int Partition, List<int> Brokers)> Assignments, List<KeyValuePair<string, string?>> Configs);
}
