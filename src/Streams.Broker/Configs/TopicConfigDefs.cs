namespace Streams.Broker.Configs;

/// <summary>The topic configs Kafka accepts, with Kafka's defaults and broker synonyms (<c>LogConfig</c>, <c>ServerTopicConfigSynonyms</c>).</summary>
internal static class TopicConfigDefs
{
    private const string LongMax = "9223372036854775807";

    public static readonly IReadOnlyList<TopicConfigDef> All =
    [
        new("cleanup.policy", ConfigType.List, "delete", "log.cleanup.policy", ["delete", "compact"]),
        new("compression.type", ConfigType.String, "producer", "compression.type", ["uncompressed", "zstd", "lz4", "snappy", "gzip", "producer"]),
        new("compression.gzip.level", ConfigType.Int, "-1", "compression.gzip.level", Min: -1),
        new("compression.lz4.level", ConfigType.Int, "9", "compression.lz4.level", Min: 1),
        new("compression.zstd.level", ConfigType.Int, "3", "compression.zstd.level", Min: -131072),
        new("delete.retention.ms", ConfigType.Long, "86400000", "log.cleaner.delete.retention.ms", Min: 0),
        new("file.delete.delay.ms", ConfigType.Long, "60000", "log.segment.delete.delay.ms", Min: 0),
        new("flush.messages", ConfigType.Long, LongMax, "log.flush.interval.messages", Min: 1),
        new("flush.ms", ConfigType.Long, LongMax, "log.flush.interval.ms", Min: 0),
        new("index.interval.bytes", ConfigType.Int, "4096", "log.index.interval.bytes", Min: 0),
        new("local.retention.bytes", ConfigType.Long, "-2", "log.local.retention.bytes", Min: -2),
        new("local.retention.ms", ConfigType.Long, "-2", "log.local.retention.ms", Min: -2),
        new("max.compaction.lag.ms", ConfigType.Long, LongMax, "log.cleaner.max.compaction.lag.ms", Min: 1),
        new("max.message.bytes", ConfigType.Int, "1048588", "message.max.bytes", Min: 0),
        new("message.downconversion.enable", ConfigType.Boolean, "true", "log.message.downconversion.enable"),
        new("message.timestamp.after.max.ms", ConfigType.Long, LongMax, "log.message.timestamp.after.max.ms", Min: 0),
        new("message.timestamp.before.max.ms", ConfigType.Long, LongMax, "log.message.timestamp.before.max.ms", Min: 0),
        new("message.timestamp.type", ConfigType.String, "CreateTime", "log.message.timestamp.type", ["CreateTime", "LogAppendTime"]),
        new("min.cleanable.dirty.ratio", ConfigType.Double, "0.5", "log.cleaner.min.cleanable.ratio"),
        new("min.compaction.lag.ms", ConfigType.Long, "0", "log.cleaner.min.compaction.lag.ms", Min: 0),
        new("min.insync.replicas", ConfigType.Int, "1", "min.insync.replicas", Min: 1),
        new("preallocate", ConfigType.Boolean, "false", "log.preallocate"),
        new("remote.storage.enable", ConfigType.Boolean, "false", "remote.log.storage.system.enable"),
        new("retention.bytes", ConfigType.Long, "-1", "log.retention.bytes"),
        new("retention.ms", ConfigType.Long, "604800000", "log.retention.ms", Min: -1),
        new("segment.bytes", ConfigType.Int, "1073741824", "log.segment.bytes", Min: 14),
        new("segment.index.bytes", ConfigType.Int, "10485760", "log.index.size.max.bytes", Min: 4),
        new("segment.jitter.ms", ConfigType.Long, "0", "log.roll.jitter.ms", Min: 0),
        new("segment.ms", ConfigType.Long, "604800000", "log.roll.ms", Min: 1),
        new("unclean.leader.election.enable", ConfigType.Boolean, "false", "unclean.leader.election.enable"),
    ];

    private static readonly Dictionary<string, TopicConfigDef> ByName = All.ToDictionary(d => d.Name, StringComparer.Ordinal);

    private static readonly Dictionary<string, TopicConfigDef> BySynonym = All.ToDictionary(d => d.BrokerSynonym, StringComparer.Ordinal);

    public static TopicConfigDef? Find(string name) => ByName.GetValueOrDefault(name);

    public static TopicConfigDef? FindBySynonym(string brokerName) => BySynonym.GetValueOrDefault(brokerName);
}
