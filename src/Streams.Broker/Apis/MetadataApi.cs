using Streams.Broker.Protocol;
using Streams.Broker.Protocol.Messages;
using Streams.Broker.Security.Authorization;
using Streams.Broker.Storage;

namespace Streams.Broker.Apis;

/// <summary>
/// Metadata (3), v0-12. v0 has no null topic list: an empty one asks for every topic (kafka-python and aiokafka send
/// v0 beside ApiVersions v0 while they detect the broker version; Kafka 4.x kept v0-v3 for them). v2 ClusterId, v3 ThrottleTimeMs, v4 AllowAutoTopicCreation, v5 OfflineReplicas,
/// v7 LeaderEpoch, v8 authorized operations, v9 flexible, v10 topic ids, v12 topics asked for by id (null name).
/// Topic ids are what KIP-848 assignments carry: librdkafka resolves them with a v12 request by id. From v9 librdkafka
/// trusts leader epochs (always 0 here); OffsetForLeaderEpoch stays unadvertised, so it skips KIP-320 validation.
/// Authorization as Kafka: an all-topics request lists only topics the principal may Describe; a named topic it may
/// not Describe answers TOPIC_AUTHORIZATION_FAILED whether or not it exists; auto-creation needs Create on the
/// cluster or the topic (else TOPIC_AUTHORIZATION_FAILED); cluster operations are reported only with Describe on it.
/// </summary>
internal sealed class MetadataApi : ApiHandler<MetadataRequest, MetadataResponse>
{
    /// <summary>Bit set Kafka uses when authorized operations were not requested.</summary>
    private const int OperationsNotRequested = int.MinValue;

    public override ValueTask<MetadataResponse> HandleAsync(RequestContext context, MetadataRequest request)
    {
        var broker = context.Broker;
        var entries = new List<(string? Name, ErrorCode Error, Topic? Topic, Guid Id)>();
        if (request.Topics is null || (context.ApiVersion == 0 && request.Topics.Count == 0))
        {
            entries.AddRange(broker.Logs.Topics.OrderBy(t => t.Name, StringComparer.Ordinal)
                .Where(t => context.Authorize(AclOperation.Describe, AclResourceType.Topic, t.Name, logIfDenied: false))
                .Select(t => ((string?)t.Name, ErrorCode.None, (Topic?)t, t.Id)));
        }
        else
        {
            foreach (var id in request.Topics.Where(t => t.Name is null).Select(t => t.TopicId).Distinct())
            {
                // By id (v12): an id the principal may not see answers as an unknown one, so ids do not leak names.
                var byId = broker.Logs.Topics.FirstOrDefault(t => t.Id == id);
                entries.Add(byId is not null && context.Authorize(AclOperation.Describe, AclResourceType.Topic, byId.Name)
                    ? (byId.Name, ErrorCode.None, byId, id)
                    : (null, ErrorCode.UnknownTopicId, null, id));
            }

            foreach (var name in request.Topics.Select(t => t.Name).OfType<string>().Distinct(StringComparer.Ordinal))
            {
                var denied = !context.Authorize(AclOperation.Describe, AclResourceType.Topic, name)
                    || (request.AllowAutoTopicCreation && broker.Config.AutoCreateTopics && !MayCreate(context, name));
                var (_, error, topic) = denied ? (name, ErrorCode.TopicAuthorizationFailed, null) : Resolve(broker, name, request.AllowAutoTopicCreation);
                entries.Add((name, error, topic, topic?.Id ?? Guid.Empty));
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
                TopicId = entry.Id,
                IsInternal = entry.Topic?.IsInternal ?? false,
                Partitions = [.. (entry.Topic?.Partitions ?? []).Select(partition => new MetadataResponse.Partition
                {
                    PartitionIndex = partition.Index,
                    LeaderId = broker.NodeId,
                    LeaderEpoch = 0,
                    ReplicaNodes = [broker.NodeId],
                    IsrNodes = [broker.NodeId],
                })],
                TopicAuthorizedOperations = request.IncludeTopicAuthorizedOperations && entry.Topic is not null
                    ? context.AuthorizedOperations(AclResourceType.Topic, entry.Topic.Name)
                    : OperationsNotRequested,
            })],
            ClusterAuthorizedOperations = !request.IncludeClusterAuthorizedOperations ? OperationsNotRequested
                : context.AuthorizeCluster(AclOperation.Describe, logIfDenied: false) ? context.AuthorizedOperations(AclResourceType.Cluster, AclBinding.ClusterName)
                : 0,
        });
    }

    /// <summary>
    /// Whether auto-creation may create the topic for this principal: Create on the cluster or on the topic. A topic
    /// that exists needs neither; one that does not and may not be created answers TOPIC_AUTHORIZATION_FAILED (Kafka).
    /// </summary>
    private static bool MayCreate(RequestContext context, string name) =>
        !context.AuthorizationEnabled
        || context.Broker.Logs.GetTopic(name) is not null
        || context.AuthorizeCluster(AclOperation.Create, logIfDenied: false)
        || context.Authorize(AclOperation.Create, AclResourceType.Topic, name);

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
