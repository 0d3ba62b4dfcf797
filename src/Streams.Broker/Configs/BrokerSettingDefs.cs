namespace Streams.Broker.Configs;

/// <summary>
/// The broker settings the embedded broker reads, with Kafka's defaults except where a local single-node broker is
/// better served (noted). Every one is validated at start; an unknown name is reported and ignored, as Kafka does.
/// </summary>
internal static class BrokerSettingDefs
{
    private const long IntMax = int.MaxValue;

    public static readonly BrokerSettingDef AutoCreateTopics = new("auto.create.topics.enable", ConfigType.Boolean, "true", "Create a topic when a client asks for its metadata or produces to it.");
    public static readonly BrokerSettingDef NumPartitions = new("num.partitions", ConfigType.Int, "1", "Partitions of an auto-created topic, and of a created one that names none.", 1, IntMax);
    public static readonly BrokerSettingDef DefaultReplicationFactor = new("default.replication.factor", ConfigType.Int, "1", "Replication factor of auto-created topics (a single node stores one copy).", 1, IntMax);
    public static readonly BrokerSettingDef DeleteTopicEnable = new("delete.topic.enable", ConfigType.Boolean, "true", "Whether DeleteTopics may delete topics.");
    public static readonly BrokerSettingDef LogRetentionHours = new("log.retention.hours", ConfigType.Int, "168", "Default retention.ms in hours (log.retention.minutes and log.retention.ms take precedence).", -1, IntMax);
    public static readonly BrokerSettingDef LogRetentionCheckIntervalMs = new("log.retention.check.interval.ms", ConfigType.Long, "300000", "How often segments are checked for deletion by retention.", 1);
    public static readonly BrokerSettingDef LogFlushSchedulerIntervalMs = new("log.flush.scheduler.interval.ms", ConfigType.Long, "1000", "How often logs are checked for a time-based flush (flush.ms).", 1);
    public static readonly BrokerSettingDef SocketRequestMaxBytes = new("socket.request.max.bytes", ConfigType.Int, "104857600", "The largest request a client may send; a larger one closes its connection.", 8, IntMax - 4 - 65536);
    public static readonly BrokerSettingDef OffsetsRetentionMinutes = new("offsets.retention.minutes", ConfigType.Int, "10080", "How long committed offsets of an empty group are kept.", 1, IntMax);
    public static readonly BrokerSettingDef OffsetsRetentionCheckIntervalMs = new("offsets.retention.check.interval.ms", ConfigType.Long, "600000", "How often expired offsets are removed.", 1);
    public static readonly BrokerSettingDef OffsetMetadataMaxBytes = new("offset.metadata.max.bytes", ConfigType.Int, "4096", "Largest metadata string a committed offset may carry.", 0, IntMax);
    public static readonly BrokerSettingDef GroupMinSessionTimeoutMs = new("group.min.session.timeout.ms", ConfigType.Int, "6000", "Smallest session.timeout.ms a group member may ask for.", 0, IntMax);
    public static readonly BrokerSettingDef GroupMaxSessionTimeoutMs = new("group.max.session.timeout.ms", ConfigType.Int, "1800000", "Largest session.timeout.ms a group member may ask for.", 0, IntMax);

    // Kafka waits 3 s for more members before the first rebalance of an empty group; locally that is only a delay.
    public static readonly BrokerSettingDef GroupInitialRebalanceDelayMs = new("group.initial.rebalance.delay.ms", ConfigType.Int, "0", "How long the first rebalance of an empty group waits for more members.", 0, IntMax);
    // Kafka leaves a group unbounded; here the cap also bounds KIP-394 member ids awaiting their second join, which a
    // client can mint without limit by joining with an empty member id, and a local broker never serves 1000 members.
    public static readonly BrokerSettingDef GroupMaxSize = new("group.max.size", ConfigType.Int, "1000", "Most members one consumer group may have, counting those awaiting their second join.", 1, IntMax);
    // KIP-848 consumer groups: Kafka's names and defaults.
    public static readonly BrokerSettingDef GroupConsumerSessionTimeoutMs = new("group.consumer.session.timeout.ms", ConfigType.Int, "45000", "How long a member of a consumer group (group.protocol=consumer) may go without a heartbeat before it is removed.", 1, IntMax);
    public static readonly BrokerSettingDef GroupConsumerHeartbeatIntervalMs = new("group.consumer.heartbeat.interval.ms", ConfigType.Int, "5000", "The heartbeat interval the coordinator gives members of consumer groups.", 1, IntMax);
    public static readonly BrokerSettingDef GroupConsumerAssignors = new("group.consumer.assignors", ConfigType.String, "uniform,range", "The server-side assignors of consumer groups, comma-separated; the first is the default.");
    public static readonly BrokerSettingDef TransactionMaxTimeoutMs = new("transaction.max.timeout.ms", ConfigType.Int, "900000", "Largest transaction.timeout.ms a producer may ask for.", 1, IntMax);
    public static readonly BrokerSettingDef ProducerIdExpirationMs = new("producer.id.expiration.ms", ConfigType.Int, "86400000", "How long an idle producer's idempotence state is kept.", 1, IntMax);

    // Log cleaner (compaction of cleanup.policy=compact topics). Kafka's names; the dedupe buffer is smaller than Kafka's 128 MiB
    // because an embedded broker shares its process with the application.
    public static readonly BrokerSettingDef LogCleanerEnable = new("log.cleaner.enable", ConfigType.Boolean, "true", "Run the log cleaner, which compacts topics with cleanup.policy=compact.");
    public static readonly BrokerSettingDef LogCleanerBackoffMs = new("log.cleaner.backoff.ms", ConfigType.Long, "15000", "How long the cleaner sleeps when no log needs cleaning.", 0);
    public static readonly BrokerSettingDef LogCleanerDedupeBufferSize = new("log.cleaner.dedupe.buffer.size", ConfigType.Long, "33554432", "Memory of the cleaner's offset map (24 bytes per key); a dirty section with more keys is cleaned in several passes.", 1024 * 1024, 16L * 1024 * 1024 * 1024);
    public static readonly BrokerSettingDef OffsetsTopicSegmentBytes = new("offsets.topic.segment.bytes", ConfigType.Int, "104857600", "segment.bytes of __consumer_offsets, kept small so the log cleaner can compact it.", 1, IntMax);
    public static readonly BrokerSettingDef LogCleanerIoMaxBytesPerSecond = new("log.cleaner.io.max.bytes.per.second", ConfigType.Double, "1.7976931348623157E308", "Bound on the cleaner's reads plus writes, so compaction does not starve produce and fetch.");

    // Resource limits against hostile or broken clients (issue 11). Per-listener forms (listener.name.<l>.<name>) are
    // read for the ones Kafka allows them on; see BrokerConfig.ForListener.
    // Kafka's max.connections is unbounded; a bound keeps sockets from starving the log's own file handles.
    public static readonly BrokerSettingDef MaxConnections = new("max.connections", ConfigType.Int, "1000", "Most connections the listener keeps open; further ones are closed on accept.", 0, IntMax);
    public static readonly BrokerSettingDef MaxConnectionsPerIp = new("max.connections.per.ip", ConfigType.Int, "2147483647", "Most connections from one address (every local client shares 127.0.0.1, so unbounded as in Kafka).", 0, IntMax);
    public static readonly BrokerSettingDef MaxConnectionsPerIpOverrides = new("max.connections.per.ip.overrides", ConfigType.String, "", "Per-address exceptions to max.connections.per.ip: 'address:count,address:count'.");
    public static readonly BrokerSettingDef ConnectionsMaxIdleMs = new("connections.max.idle.ms", ConfigType.Long, "600000", "Idle connections (no request arriving or in hand) are closed after this long.", 1, IntMax);

    // Kafka's default -1 (unbounded) trusts the network; an embedded broker shares its process, so two largest requests
    // may be in hand at once (one being handled, one arriving) and further reads wait, keeping request memory below 200 MB.
    public static readonly BrokerSettingDef QueuedMaxRequestBytes = new("queued.max.request.bytes", ConfigType.Long, "209715200", "Bytes of requests being received or handled across all connections before reading more waits (-1 unbounded).", -1);

    // Not a Kafka setting (Kafka has no bound on how slowly a request arrives): a request whose bytes stop coming is
    // dropped with its connection after this long, so a trickled frame cannot hold its buffer until the idle timeout.
    public static readonly BrokerSettingDef SocketRequestReceiveTimeoutMs = new("socket.request.receive.timeout.ms", ConfigType.Long, "30000", "Longest time a request may take to arrive once its size is known (Streams setting).", 1, IntMax);
    public static readonly BrokerSettingDef FetchMaxBytes = new("fetch.max.bytes", ConfigType.Int, "57671680", "Most record bytes one Fetch response carries, whatever the client asks.", 1024, IntMax);

    // Kafka (KRaft) refuses a request creating more than 10000 partitions ("Excessively large number of partitions per
    // request"); the broker-wide bound is KIP-578's name, since every partition holds open files here.
    public static readonly BrokerSettingDef MaxPartitionsPerRequest = new("max.partitions.per.request", ConfigType.Int, "10000", "Most partitions one CreateTopics or CreatePartitions request may create (Streams setting; Kafka's fixed batch bound).", 1, IntMax);
    public static readonly BrokerSettingDef MaxBrokerPartitions = new("max.broker.partitions", ConfigType.Int, "10000", "Most partitions the broker holds in all (KIP-578).", 1, IntMax);

    // Scaled synonyms of topic configs: validated when given, otherwise absent (the topic config's own synonym rules).
    public static readonly BrokerSettingDef LogRetentionMinutes = new("log.retention.minutes", ConfigType.Int, null, "Default retention.ms in minutes (log.retention.ms takes precedence).", -1, IntMax);
    public static readonly BrokerSettingDef LogRollHours = new("log.roll.hours", ConfigType.Int, null, "Default segment.ms in hours (log.roll.ms takes precedence).", 1, IntMax);
    public static readonly BrokerSettingDef LogRollJitterHours = new("log.roll.jitter.hours", ConfigType.Int, null, "Default segment.jitter.ms in hours (log.roll.jitter.ms takes precedence).", 0, IntMax);

    // Authorization (issue 12): Kafka's names. Any authorizer.class.name turns the ACL authorizer on.
    public static readonly BrokerSettingDef AuthorizerClassName = new("authorizer.class.name", ConfigType.String, "", "Turns authorization by ACLs on when set (any of Kafka's authorizer class names, or any value).");
    public static readonly BrokerSettingDef SuperUsers = new("super.users", ConfigType.String, "", "Principals allowed everything whatever the ACLs say, separated by semicolons: User:admin;User:ops.");
    public static readonly BrokerSettingDef AllowEveryoneIfNoAclFound = new("allow.everyone.if.no.acl.found", ConfigType.Boolean, "false", "Allow an action on a resource that no ACL names (with authorization on).");

    public static readonly IReadOnlyList<BrokerSettingDef> All =
    [
        AutoCreateTopics, NumPartitions, DefaultReplicationFactor, DeleteTopicEnable, LogRetentionHours, LogRetentionCheckIntervalMs,
        LogFlushSchedulerIntervalMs, SocketRequestMaxBytes, OffsetsRetentionMinutes, OffsetsRetentionCheckIntervalMs,
        OffsetMetadataMaxBytes, GroupMinSessionTimeoutMs, GroupMaxSessionTimeoutMs, GroupInitialRebalanceDelayMs, GroupMaxSize,
        GroupConsumerSessionTimeoutMs, GroupConsumerHeartbeatIntervalMs, GroupConsumerAssignors,
        TransactionMaxTimeoutMs, ProducerIdExpirationMs, MaxConnections, MaxConnectionsPerIp, MaxConnectionsPerIpOverrides,
        ConnectionsMaxIdleMs, QueuedMaxRequestBytes, SocketRequestReceiveTimeoutMs, FetchMaxBytes, MaxPartitionsPerRequest, MaxBrokerPartitions,
        LogRetentionMinutes, LogRollHours, LogRollJitterHours,
        LogCleanerEnable, LogCleanerBackoffMs, LogCleanerDedupeBufferSize, LogCleanerIoMaxBytesPerSecond, OffsetsTopicSegmentBytes,
        AuthorizerClassName, SuperUsers, AllowEveryoneIfNoAclFound,
        .. SecuritySettingDefs.All,
    ];

    /// <summary>Settings Kafka also accepts as <c>listener.name.&lt;listener&gt;.&lt;name&gt;</c> for one listener.</summary>
    public static readonly IReadOnlyList<BrokerSettingDef> PerListener = [MaxConnections, MaxConnectionsPerIp, MaxConnectionsPerIpOverrides, ConnectionsMaxIdleMs];

    public const string ListenerPrefix = "listener.name.";

    /// <summary>The definition for a name, including a per-listener form <c>listener.name.x.max.connections</c>.</summary>
    public static BrokerSettingDef? FindWithListener(string name)
    {
        if (Find(name) is { } def)
        {
            return def;
        }

        if (!name.StartsWith(ListenerPrefix, StringComparison.Ordinal))
        {
            return null;
        }

        var rest = name[ListenerPrefix.Length..];
        var dot = rest.IndexOf('.', StringComparison.Ordinal);
        var setting = dot <= 0 ? null : rest[(dot + 1)..];
        return PerListener.FirstOrDefault(d => d.Name == setting) ?? (setting is null ? null : SecuritySettingDefs.FindPerListener(setting));
    }

    private static readonly Dictionary<string, BrokerSettingDef> ByName = All.ToDictionary(d => d.Name, StringComparer.Ordinal);

    public static BrokerSettingDef? Find(string name) => ByName.GetValueOrDefault(name);
}
