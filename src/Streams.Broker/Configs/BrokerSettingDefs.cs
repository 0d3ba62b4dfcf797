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
    public static readonly BrokerSettingDef GroupMaxSize = new("group.max.size", ConfigType.Int, "2147483647", "Most members one consumer group may have.", 1, IntMax);
    public static readonly BrokerSettingDef TransactionMaxTimeoutMs = new("transaction.max.timeout.ms", ConfigType.Int, "900000", "Largest transaction.timeout.ms a producer may ask for.", 1, IntMax);
    public static readonly BrokerSettingDef ProducerIdExpirationMs = new("producer.id.expiration.ms", ConfigType.Int, "86400000", "How long an idle producer's idempotence state is kept.", 1, IntMax);

    // Log cleaner (compaction of cleanup.policy=compact topics). Kafka's names; the dedupe buffer is smaller than Kafka's 128 MiB
    // because an embedded broker shares its process with the application.
    public static readonly BrokerSettingDef LogCleanerEnable = new("log.cleaner.enable", ConfigType.Boolean, "true", "Run the log cleaner, which compacts topics with cleanup.policy=compact.");
    public static readonly BrokerSettingDef LogCleanerBackoffMs = new("log.cleaner.backoff.ms", ConfigType.Long, "15000", "How long the cleaner sleeps when no log needs cleaning.", 0);
    public static readonly BrokerSettingDef LogCleanerDedupeBufferSize = new("log.cleaner.dedupe.buffer.size", ConfigType.Long, "33554432", "Memory of the cleaner's offset map (24 bytes per key); a dirty section with more keys is cleaned in several passes.", 1024 * 1024, 16L * 1024 * 1024 * 1024);
    public static readonly BrokerSettingDef OffsetsTopicSegmentBytes = new("offsets.topic.segment.bytes", ConfigType.Int, "104857600", "segment.bytes of __consumer_offsets, kept small so the log cleaner can compact it.", 1, IntMax);
    public static readonly BrokerSettingDef LogCleanerIoMaxBytesPerSecond = new("log.cleaner.io.max.bytes.per.second", ConfigType.Double, "1.7976931348623157E308", "Bound on the cleaner's reads plus writes, so compaction does not starve produce and fetch.");

    // Scaled synonyms of topic configs: validated when given, otherwise absent (the topic config's own synonym rules).
    public static readonly BrokerSettingDef LogRetentionMinutes = new("log.retention.minutes", ConfigType.Int, null, "Default retention.ms in minutes (log.retention.ms takes precedence).", -1, IntMax);
    public static readonly BrokerSettingDef LogRollHours = new("log.roll.hours", ConfigType.Int, null, "Default segment.ms in hours (log.roll.ms takes precedence).", 1, IntMax);
    public static readonly BrokerSettingDef LogRollJitterHours = new("log.roll.jitter.hours", ConfigType.Int, null, "Default segment.jitter.ms in hours (log.roll.jitter.ms takes precedence).", 0, IntMax);

    public static readonly IReadOnlyList<BrokerSettingDef> All =
    [
        AutoCreateTopics, NumPartitions, DefaultReplicationFactor, DeleteTopicEnable, LogRetentionHours, LogRetentionCheckIntervalMs,
        LogFlushSchedulerIntervalMs, SocketRequestMaxBytes, OffsetsRetentionMinutes, OffsetsRetentionCheckIntervalMs,
        OffsetMetadataMaxBytes, GroupMinSessionTimeoutMs, GroupMaxSessionTimeoutMs, GroupInitialRebalanceDelayMs, GroupMaxSize,
        TransactionMaxTimeoutMs, ProducerIdExpirationMs, LogRetentionMinutes, LogRollHours, LogRollJitterHours,
        LogCleanerEnable, LogCleanerBackoffMs, LogCleanerDedupeBufferSize, LogCleanerIoMaxBytesPerSecond,
        OffsetsTopicSegmentBytes,
    ];

    private static readonly Dictionary<string, BrokerSettingDef> ByName = All.ToDictionary(d => d.Name, StringComparer.Ordinal);

    public static BrokerSettingDef? Find(string name) => ByName.GetValueOrDefault(name);
}
