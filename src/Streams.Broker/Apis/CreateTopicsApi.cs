using Streams.Broker.Protocol;
using Streams.Broker.Protocol.Messages;
using Streams.Broker.Security.Authorization;

namespace Streams.Broker.Apis;

/// <summary>
/// CreateTopics (19), v2-7: v4 lets NumPartitions and ReplicationFactor be -1 for the broker defaults (Streamiz
/// relies on it); v5 flexible, answering each created (or validated) topic's partition count, replication factor and
/// configs with their sources (KIP-525); v7 its topic id (zero when only validated). The topic exists in Metadata before the response goes out, because Streamiz checks right away.
/// Needs Create on the cluster or on each topic (else TOPIC_AUTHORIZATION_FAILED for that topic).
/// </summary>
internal sealed class CreateTopicsApi : ApiHandler<CreateTopicsRequest, CreateTopicsResponse>
{
    public override ValueTask<CreateTopicsResponse> HandleAsync(RequestContext context, CreateTopicsRequest request)
    {
        var duplicates = request.Topics.GroupBy(t => t.Name, StringComparer.Ordinal).Where(g => g.Count() > 1).Select(g => g.Key).ToHashSet(StringComparer.Ordinal);
        var broker = context.Broker;
        var mayCreateAll = !context.AuthorizationEnabled || context.AuthorizeCluster(AclOperation.Create, logIfDenied: false);
        var response = new CreateTopicsResponse();
        lock (PartitionLimits.AdminLock)
        {
            // Every topic is validated before any is created, and the partition limits apply to what all the valid
            // ones would add: a request for 2^31-1 partitions is refused before anything reaches the disk.
            var plans = request.Topics.Select(topic => duplicates.Contains(topic.Name)
                ? Plan.Failed(ErrorCode.InvalidRequest, $"Create topics request from client contains a duplicate topic: {topic.Name}")
                : !mayCreateAll && !context.Authorize(AclOperation.Create, AclResourceType.Topic, topic.Name)
                    ? Plan.Failed(ErrorCode.TopicAuthorizationFailed, "Authorization failed.")
                : Validate(broker, topic)).ToList();
            var limitError = PartitionLimits.Check(broker, plans.Where(p => p.Error == ErrorCode.None).Sum(p => (long)p.Partitions));
            for (var i = 0; i < plans.Count; i++)
            {
                var topic = request.Topics[i];
                var (error, message) = plans[i] switch
                {
                    { Error: not ErrorCode.None } failed => (failed.Error, failed.Message),
                    _ when limitError is { } limit => (ErrorCode.PolicyViolation, limit),
                    var plan => Create(broker, topic.Name, plan, request.ValidateOnly),
                };
                var result = new CreateTopicsResponse.Topic { Name = topic.Name, ErrorCode = error, ErrorMessage = message };
                if (error == ErrorCode.None && context.ApiVersion >= 5)
                {
                    Describe(broker, result, plans[i], request.ValidateOnly);
                }

                response.Topics.Add(result);
            }
        }

        return ValueTask.FromResult(response);
    }

    private static (ErrorCode, string?) Create(BrokerContext broker, string name, Plan plan, bool validateOnly)
    {
        var result = broker.Logs.CreateTopic(name, plan.Partitions, plan.Configs!, validateOnly);
        return (result.Error, result.Message);
    }

    /// <summary>What v5+ tells about a topic it created: what the topic got, as DescribeConfigs would report it.</summary>
    private static void Describe(BrokerContext broker, CreateTopicsResponse.Topic result, Plan plan, bool validateOnly)
    {
        var created = validateOnly ? null : broker.Logs.GetTopic(result.Name);
        var config = created?.Config ?? new Configs.TopicConfig(plan.Configs!.ToDictionary(c => c.Key, c => c.Value!, StringComparer.Ordinal), broker.Config);
        result.TopicId = created?.Id ?? Guid.Empty;
        result.NumPartitions = created?.Partitions.Count ?? plan.Partitions;
        result.ReplicationFactor = 1;
        result.Configs = [.. DescribeConfigsApi.TopicEntries(broker.Config, config).Select(e => new CreateTopicsResponse.Config
        {
            Name = e.Name, Value = e.Value, ReadOnly = e.ReadOnly, ConfigSource = (sbyte)e.Source, IsSensitive = e.Sensitive,
        })];
    }

    private sealed record Plan(ErrorCode Error, string? Message, int Partitions, Dictionary<string, string?>? Configs)
    {
        public static Plan Failed(ErrorCode error, string? message) => new(error, message, 0, null);
    }

    private static Plan Validate(BrokerContext broker, CreateTopicsRequest.Topic topic)
    {
        var plan = ValidateArguments(broker, topic);
        if (plan.Error != ErrorCode.None)
        {
            return plan;
        }

        var check = broker.Logs.CreateTopic(topic.Name, plan.Partitions, plan.Configs!, validateOnly: true);
        return check.Error == ErrorCode.None ? plan : Plan.Failed(check.Error, check.Message);
    }

    private static Plan ValidateArguments(BrokerContext broker, CreateTopicsRequest.Topic topic)
    {
        var partitions = topic.NumPartitions;
        if (topic.Assignments.Count > 0)
        {
            if (topic.NumPartitions != -1 || topic.ReplicationFactor != -1)
            {
                return Plan.Failed(ErrorCode.InvalidRequest, "Both numPartitions or replicationFactor and replicasAssignments were set. Both cannot be used at the same time.");
            }

            var ids = topic.Assignments.Select(a => a.PartitionIndex).Order().ToList();
            if (!ids.SequenceEqual(Enumerable.Range(0, ids.Count)) || topic.Assignments.Any(a => a.BrokerIds.Count != 1 || a.BrokerIds[0] != broker.NodeId))
            {
                return Plan.Failed(ErrorCode.InvalidReplicaAssignment, $"Replica assignments must name partitions 0..n-1, each on broker {broker.NodeId} only.");
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
                return Plan.Failed(ErrorCode.InvalidReplicationFactor, "Replication factor must be larger than 0, or -1 to use the default value.");
            }

            if (topic.ReplicationFactor > 1)
            {
                return Plan.Failed(ErrorCode.InvalidReplicationFactor, $"Unable to replicate the partition {topic.ReplicationFactor} time(s): The target replication factor of {topic.ReplicationFactor} cannot be reached because only 1 broker(s) are registered.");
            }
        }

        if (topic.Configs.Any(c => c.Value is null))
        {
            return Plan.Failed(ErrorCode.InvalidConfig, "Null value not supported for topic configs: " + string.Join(",", topic.Configs.Where(c => c.Value is null).Select(c => c.Name)));
        }

        var configs = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var config in topic.Configs)
        {
            configs[config.Name] = config.Value;
        }

        return new Plan(ErrorCode.None, null, partitions, configs);
    }
}
