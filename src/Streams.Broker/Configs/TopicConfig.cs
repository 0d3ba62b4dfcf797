using System.Globalization;

namespace Streams.Broker.Configs;

/// <summary>
/// The effective configuration of one topic: its overrides on top of the broker's defaults. Immutable; altering
/// configs swaps in a new instance, so a partition reads one consistent snapshot per operation.
/// </summary>
internal sealed class TopicConfig
{
    private readonly BrokerConfig _broker;

    public TopicConfig(IReadOnlyDictionary<string, string> overrides, BrokerConfig broker)
    {
        Overrides = overrides;
        _broker = broker;
        RetentionMs = Long("retention.ms");
        RetentionBytes = Long("retention.bytes");
        SegmentBytes = (int)Long("segment.bytes");
        SegmentMs = Long("segment.ms");
        MaxMessageBytes = (int)Long("max.message.bytes");
        IndexIntervalBytes = (int)Long("index.interval.bytes");
        FlushMessages = Long("flush.messages");
        FlushMs = Long("flush.ms");
        TimestampBeforeMaxMs = Long("message.timestamp.before.max.ms");
        TimestampAfterMaxMs = Long("message.timestamp.after.max.ms");
        LogAppendTime = string.Equals(Value("message.timestamp.type"), "LogAppendTime", StringComparison.OrdinalIgnoreCase);
        var policy = Value("cleanup.policy").Split(',');
        Compact = policy.Contains("compact", StringComparer.OrdinalIgnoreCase);
        Delete = policy.Contains("delete", StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>Topic-level overrides only (what is persisted with the topic).</summary>
    public IReadOnlyDictionary<string, string> Overrides { get; }

    public long RetentionMs { get; }

    public long RetentionBytes { get; }

    public int SegmentBytes { get; }

    public long SegmentMs { get; }

    public int MaxMessageBytes { get; }

    public int IndexIntervalBytes { get; }

    public long FlushMessages { get; }

    public long FlushMs { get; }

    public bool LogAppendTime { get; }

    /// <summary>How far in the past a CreateTime record's timestamp may lie (<c>message.timestamp.before.max.ms</c>).</summary>
    public long TimestampBeforeMaxMs { get; }

    /// <summary>How far in the future a CreateTime record's timestamp may lie (<c>message.timestamp.after.max.ms</c>).</summary>
    public long TimestampAfterMaxMs { get; }

    public bool Compact { get; }

    public bool Delete { get; }

    public string Value(string name) => Resolve(name).Value;

    public (string Value, ConfigSource Source) Resolve(string name)
    {
        if (Overrides.TryGetValue(name, out var value))
        {
            return (value, ConfigSource.TopicConfig);
        }

        var def = TopicConfigDefs.Find(name) ?? throw new KeyNotFoundException(name);
        var (brokerValue, _, source) = _broker.TopicDefault(def);
        return (brokerValue, source);
    }

    private long Long(string name) => long.Parse(Value(name), CultureInfo.InvariantCulture);

    /// <summary>Checks a set of overrides; returns the first problem or null.</summary>
    public static string? Validate(IEnumerable<KeyValuePair<string, string?>> overrides)
    {
        foreach (var (name, value) in overrides)
        {
            var def = TopicConfigDefs.Find(name);
            if (def is null)
            {
                return $"Unknown topic config name: {name}";
            }

            if (def.Validate(value) is { } error)
            {
                return error;
            }
        }

        return null;
    }
}
