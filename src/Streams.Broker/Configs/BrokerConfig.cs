using System.Globalization;

namespace Streams.Broker.Configs;

/// <summary>
/// The broker's static settings under Kafka's own names (<c>server.properties</c> style). Values given at start-up
/// override the defaults below; topic configs fall back to their broker synonyms here.
/// </summary>
internal sealed class BrokerConfig
{
    /// <summary>Kafka's defaults, except where a local single-node broker is better served (noted).</summary>
    private static readonly Dictionary<string, string> Defaults = new(StringComparer.Ordinal)
    {
        ["auto.create.topics.enable"] = "true",
        ["num.partitions"] = "1",
        ["default.replication.factor"] = "1",
        ["delete.topic.enable"] = "true",
        ["log.retention.hours"] = "168",
        ["log.retention.check.interval.ms"] = "300000",
        ["log.flush.scheduler.interval.ms"] = "1000",
        ["socket.request.max.bytes"] = "104857600",
        ["offsets.retention.minutes"] = "10080",
        ["offsets.retention.check.interval.ms"] = "600000",
        ["offset.metadata.max.bytes"] = "4096",
        ["group.min.session.timeout.ms"] = "6000",
        ["group.max.session.timeout.ms"] = "1800000",
        // Kafka waits 3 s for more members before the first rebalance of an empty group; locally that is only a delay.
        ["group.initial.rebalance.delay.ms"] = "0",
        ["group.max.size"] = "2147483647",
        ["transaction.max.timeout.ms"] = "900000",
        ["producer.id.expiration.ms"] = "86400000",
    };

    private readonly Dictionary<string, string> _explicit;

    public BrokerConfig(int nodeId, IReadOnlyDictionary<string, string>? settings)
    {
        NodeId = nodeId;
        _explicit = new Dictionary<string, string>(settings ?? new Dictionary<string, string>(), StringComparer.Ordinal);
        foreach (var (name, value) in _explicit)
        {
            var def = TopicConfigDefs.FindBySynonym(name);
            var error = def?.Validate(value);
            if (error is not null)
            {
                throw new ArgumentException($"Invalid broker setting {name}: {error}");
            }
        }
    }

    public int NodeId { get; }

    /// <summary>Explicit settings this broker does not know (typos, or Kafka settings with no meaning here).</summary>
    public IEnumerable<string> UnknownSettings => _explicit.Keys.Where(k =>
        !Defaults.ContainsKey(k) && TopicConfigDefs.FindBySynonym(k) is null && !TopicConfigDefs.All.Any(d => Synonyms(d).Any(s => s.Name == k)));

    public bool IsExplicit(string name) => _explicit.ContainsKey(name);

    public string? Get(string name) => _explicit.GetValueOrDefault(name) ?? Defaults.GetValueOrDefault(name);

    public long GetLong(string name) => long.Parse(Get(name) ?? throw new KeyNotFoundException(name), CultureInfo.InvariantCulture);

    public int GetInt(string name) => (int)Math.Min(GetLong(name), int.MaxValue);

    public bool GetBool(string name) => bool.Parse(Get(name) ?? throw new KeyNotFoundException(name));

    public bool AutoCreateTopics => GetBool("auto.create.topics.enable");

    public int DefaultPartitions => GetInt("num.partitions");

    /// <summary>
    /// The broker-level value for a topic config and which broker setting supplied it, following Kafka's synonym
    /// precedence (for example <c>log.retention.ms</c> before <c>.minutes</c> before <c>.hours</c>).
    /// </summary>
    public (string Value, string Name, ConfigSource Source) TopicDefault(TopicConfigDef def)
    {
        foreach (var (name, scale) in Synonyms(def))
        {
            if (_explicit.TryGetValue(name, out var value))
            {
                return (Scale(value, scale), name, ConfigSource.StaticBrokerConfig);
            }
        }

        foreach (var (name, scale) in Synonyms(def))
        {
            if (Defaults.TryGetValue(name, out var value))
            {
                return (Scale(value, scale), name, ConfigSource.DefaultConfig);
            }
        }

        return (def.Default, def.BrokerSynonym, ConfigSource.DefaultConfig);
    }

    public IEnumerable<(string Name, string Value, ConfigSource Source)> Synonyms(TopicConfigDef def, bool setOnly)
    {
        foreach (var (name, _) in Synonyms(def))
        {
            if (_explicit.TryGetValue(name, out var value))
            {
                yield return (name, value, ConfigSource.StaticBrokerConfig);
            }
            else if (!setOnly && Defaults.TryGetValue(name, out value))
            {
                yield return (name, value, ConfigSource.DefaultConfig);
            }
        }
    }

    private static IEnumerable<(string Name, long Scale)> Synonyms(TopicConfigDef def) => def.Name switch
    {
        "retention.ms" => [("log.retention.ms", 1), ("log.retention.minutes", 60_000), ("log.retention.hours", 3_600_000)],
        "segment.ms" => [("log.roll.ms", 1), ("log.roll.hours", 3_600_000)],
        "segment.jitter.ms" => [("log.roll.jitter.ms", 1), ("log.roll.jitter.hours", 3_600_000)],
        _ => [(def.BrokerSynonym, 1)],
    };

    private static string Scale(string value, long scale) =>
        scale == 1 ? value : (long.Parse(value, CultureInfo.InvariantCulture) * scale).ToString(CultureInfo.InvariantCulture);

    /// <summary>Every broker setting to report in DescribeConfigs: defaults, explicit settings and topic synonyms.</summary>
    public IEnumerable<(string Name, string Value, ConfigSource Source)> All()
    {
        var names = new SortedSet<string>(Defaults.Keys, StringComparer.Ordinal);
        names.UnionWith(_explicit.Keys);
        foreach (var def in TopicConfigDefs.All)
        {
            names.Add(def.BrokerSynonym);
        }

        names.Add("broker.id");
        foreach (var name in names)
        {
            if (name == "broker.id")
            {
                yield return (name, NodeId.ToString(CultureInfo.InvariantCulture), ConfigSource.StaticBrokerConfig);
            }
            else if (_explicit.TryGetValue(name, out var value))
            {
                yield return (name, value, ConfigSource.StaticBrokerConfig);
            }
            else if (Defaults.TryGetValue(name, out value))
            {
                yield return (name, value, ConfigSource.DefaultConfig);
            }
            else if (TopicConfigDefs.FindBySynonym(name) is { } def)
            {
                yield return (name, def.Default, ConfigSource.DefaultConfig);
            }
        }
    }
}
