using Streams.Broker.Protocol;
using Streams.Broker.Protocol.Messages;
using Streams.Broker.Storage;

namespace Streams.Broker.Apis;

/// <summary>
/// Metadata (3), v1-8. v2 ClusterId, v3 ThrottleTimeMs, v4 AllowAutoTopicCreation, v5 OfflineReplicas,
/// v7 LeaderEpoch, v8 authorized operations. Staying below v9 keeps librdkafka off KIP-320 epoch validation,
/// which a single node with a constant leader epoch does not need.
/// </summary>
internal sealed class MetadataApi : ApiHandler<MetadataRequest, MetadataResponse>
{
    /// <summary>Bit set Kafka uses when authorized operations were not requested.</summary>
    private const int OperationsNotRequested = int.MinValue;

    // AclOperation codes: READ 3, WRITE 4, CREATE 5, DELETE 6, ALTER 7, DESCRIBE 8, CLUSTER_ACTION 9,
    // DESCRIBE_CONFIGS 10, ALTER_CONFIGS 11, IDEMPOTENT_WRITE 12. No ACLs yet: everything is allowed.
    private const int AllTopicOperations = (1 << 3) | (1 << 4) | (1 << 5) | (1 << 6) | (1 << 7) | (1 << 8) | (1 << 10) | (1 << 11);
    private const int AllClusterOperations = (1 << 5) | (1 << 7) | (1 << 8) | (1 << 9) | (1 << 10) | (1 << 11) | (1 << 12);

    public override ValueTask<MetadataResponse> HandleAsync(RequestContext context, MetadataRequest request)
    {
        var broker = context.Broker;
        var entries = new List<(string Name, ErrorCode Error, Topic? Topic)>();
        if (request.Topics is null)
        {
            entries.AddRange(broker.Logs.Topics.OrderBy(t => t.Name, StringComparer.Ordinal).Select(t => (t.Name, ErrorCode.None, (Topic?)t)));
        }
        else
        {
            foreach (var name in request.Topics.Select(t => t.Name).Distinct(StringComparer.Ordinal))
            {
                entries.Add(Resolve(broker, name, request.AllowAutoTopicCreation));
            }
        }

        return ValueTask.FromResult(new MetadataResponse
        {
            Brokers = [new MetadataResponse.Broker { NodeId = broker.NodeId, Host = context.AdvertisedHost, Port = context.AdvertisedPort }],
            ClusterId = broker.ClusterId,
            ControllerId = broker.NodeId,
            Topics = [.. entries.Select(entry => new MetadataResponse.Topic
            {
                ErrorCode = entry.Error,
                Name = entry.Name,
                IsInternal = entry.Topic?.IsInternal ?? false,
                Partitions = [.. (entry.Topic?.Partitions ?? []).Select(partition => new MetadataResponse.Partition
                {
                    PartitionIndex = partition.Index,
                    LeaderId = broker.NodeId,
                    LeaderEpoch = 0,
                    ReplicaNodes = [broker.NodeId],
                    IsrNodes = [broker.NodeId],
                })],
                TopicAuthorizedOperations = request.IncludeTopicAuthorizedOperations ? AllTopicOperations : OperationsNotRequested,
            })],
            ClusterAuthorizedOperations = request.IncludeClusterAuthorizedOperations ? AllClusterOperations : OperationsNotRequested,
        });
    }

    private static (string Name, ErrorCode Error, Topic? Topic) Resolve(BrokerContext broker, string name, bool allowAutoCreate)
    {
        if (broker.Logs.GetTopic(name) is { } existing)
        {
            return (name, ErrorCode.None, existing);
        }

        if (TopicNames.IsInternal(name))
        {
            // Kafka creates its internal topics with their own settings, whatever auto.create.topics.enable says. As an
            // ordinary topic __consumer_offsets would get time retention, which would delete committed offsets.
            if (allowAutoCreate && name == TopicNames.ConsumerOffsets)
            {
                broker.Groups.EnsureOffsetsTopic();
            }

            return broker.Logs.GetTopic(name) is { } internalTopic ? (name, ErrorCode.None, internalTopic) : (name, ErrorCode.UnknownTopicOrPartition, null);
        }

        if (TopicNames.Validate(name) is not null)
        {
            return (name, ErrorCode.InvalidTopicException, null);
        }

        if (!allowAutoCreate || !broker.Config.AutoCreateTopics)
        {
            return (name, ErrorCode.UnknownTopicOrPartition, null);
        }

        // Auto-creation counts against max.broker.partitions too: one Metadata request may name thousands of topics.
        TopicResult created;
        lock (PartitionLimits.AdminLock)
        {
            created = PartitionLimits.Check(broker, broker.Config.DefaultPartitions) is { } limit
                ? new TopicResult(ErrorCode.PolicyViolation, limit)
                : broker.Logs.CreateTopic(name, broker.Config.DefaultPartitions, new Dictionary<string, string?>(), validateOnly: false);
        }

        var topic = broker.Logs.GetTopic(name);
        return created.Error is ErrorCode.None or ErrorCode.TopicAlreadyExists && topic is not null
            ? (name, ErrorCode.None, topic)
            : (name, created.Error, null);
    }
}
