using Streams.Broker.Protocol;
using Streams.Broker.Storage;

namespace Streams.Broker.Apis;

/// <summary>
/// Metadata (3), v1-8. v2 ClusterId, v3 ThrottleTimeMs, v4 AllowAutoTopicCreation, v5 OfflineReplicas,
/// v7 LeaderEpoch, v8 authorized operations. Staying below v9 keeps librdkafka off KIP-320 epoch validation,
/// which a single node with a constant leader epoch does not need.
/// </summary>
internal sealed class MetadataApi : ApiHandler
{
    /// <summary>Bit set Kafka uses when authorized operations were not requested.</summary>
    private const int OperationsNotRequested = int.MinValue;

    // AclOperation codes: READ 3, WRITE 4, CREATE 5, DELETE 6, ALTER 7, DESCRIBE 8, CLUSTER_ACTION 9,
    // DESCRIBE_CONFIGS 10, ALTER_CONFIGS 11, IDEMPOTENT_WRITE 12. No ACLs yet: everything is allowed.
    private const int AllTopicOperations = (1 << 3) | (1 << 4) | (1 << 5) | (1 << 6) | (1 << 7) | (1 << 8) | (1 << 10) | (1 << 11);
    private const int AllClusterOperations = (1 << 5) | (1 << 7) | (1 << 8) | (1 << 9) | (1 << 10) | (1 << 11) | (1 << 12);

    public override ApiKey Key => ApiKey.Metadata;

    public override short MinVersion => 1;

    public override short MaxVersion => 8;

    public override ValueTask HandleAsync(RequestContext context, KafkaReader request, KafkaWriter response)
    {
        var version = context.ApiVersion;
        var requested = request.ReadNullableArray((ref KafkaReader r) => r.ReadString());
        var allowAutoCreate = version < 4 || request.ReadBool();
        var includeClusterOperations = version >= 8 && request.ReadBool();
        var includeTopicOperations = version >= 8 && request.ReadBool();

        var broker = context.Broker;
        if (version >= 3)
        {
            response.WriteInt32(0);
        }

        response.WriteArrayLength(1);
        response.WriteInt32(broker.NodeId);
        response.WriteString(broker.AdvertisedHost);
        response.WriteInt32(broker.AdvertisedPort);
        response.WriteNullableString(null);
        if (version >= 2)
        {
            response.WriteNullableString(broker.ClusterId);
        }

        response.WriteInt32(broker.NodeId);

        var entries = new List<(string Name, ErrorCode Error, Topic? Topic)>();
        if (requested is null)
        {
            entries.AddRange(broker.Logs.Topics.OrderBy(t => t.Name, StringComparer.Ordinal).Select(t => (t.Name, ErrorCode.None, (Topic?)t)));
        }
        else
        {
            foreach (var name in requested.Distinct(StringComparer.Ordinal))
            {
                entries.Add(Resolve(broker, name, allowAutoCreate));
            }
        }

        response.WriteArrayLength(entries.Count);
        foreach (var (name, error, topic) in entries)
        {
            response.WriteErrorCode(error);
            response.WriteString(name);
            response.WriteBool(topic?.IsInternal ?? false);
            var partitions = topic?.Partitions ?? [];
            response.WriteArrayLength(partitions.Count);
            foreach (var partition in partitions)
            {
                response.WriteErrorCode(ErrorCode.None);
                response.WriteInt32(partition.Index);
                response.WriteInt32(broker.NodeId);
                if (version >= 7)
                {
                    response.WriteInt32(0);
                }

                WriteNodeList(response, broker.NodeId);
                WriteNodeList(response, broker.NodeId);
                if (version >= 5)
                {
                    response.WriteArrayLength(0);
                }
            }

            if (version >= 8)
            {
                response.WriteInt32(includeTopicOperations ? AllTopicOperations : OperationsNotRequested);
            }
        }

        if (version >= 8)
        {
            response.WriteInt32(includeClusterOperations ? AllClusterOperations : OperationsNotRequested);
        }

        return ValueTask.CompletedTask;
    }

    private static void WriteNodeList(KafkaWriter response, int nodeId)
    {
        response.WriteArrayLength(1);
        response.WriteInt32(nodeId);
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

        var created = broker.Logs.CreateTopic(name, broker.Config.DefaultPartitions, new Dictionary<string, string?>(), validateOnly: false);
        var topic = broker.Logs.GetTopic(name);
        return created.Error is ErrorCode.None or ErrorCode.TopicAlreadyExists && topic is not null
            ? (name, ErrorCode.None, topic)
            : (name, created.Error, null);
    }
}
