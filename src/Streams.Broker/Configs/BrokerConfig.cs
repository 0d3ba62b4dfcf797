using System.Globalization;

namespace Streams.Broker.Configs;

/// <summary>
/// The broker's static settings under Kafka's own names (<c>server.properties</c> style), validated once at start
/// (<see cref="BrokerSettingDefs"/> for broker settings, <see cref="TopicConfigDefs"/> for topic-config synonyms)
/// and read through typed properties. Topic configs fall back to their broker synonyms here.
/// </summary>
internal sealed partial class BrokerConfig
{
    private readonly Dictionary<string, string> _explicit;

    /// <exception cref="ArgumentException">A setting has a bad value; the message names the setting and why.</exception>
    public BrokerConfig(int nodeId, IReadOnlyDictionary<string, string>? settings)
    {
        NodeId = nodeId;
        _explicit = new Dictionary<string, string>(settings ?? new Dictionary<string, string>(), StringComparer.Ordinal);
        foreach (var (name, value) in _explicit)
        {
            // A topic config's synonym is checked under the broker setting's own name, as Kafka words it.
            var error = BrokerSettingDefs.FindWithListener(name)?.Validate(value, name)
                ?? (TopicConfigDefs.FindBySynonym(name) is { } synonymOf ? ConfigValidation.Validate(name, synonymOf.Type, value, synonymOf.Min, validValues: synonymOf.ValidValues) : null);
            if (error is not null)
            {
                throw new ArgumentException(error);
            }
        }

        AutoCreateTopics = Bool(BrokerSettingDefs.AutoCreateTopics);
        DeleteTopicEnable = Bool(BrokerSettingDefs.DeleteTopicEnable);
        DefaultPartitions = Int(BrokerSettingDefs.NumPartitions);
        SocketRequestMaxBytes = Int(BrokerSettingDefs.SocketRequestMaxBytes);
        LogFlushSchedulerInterval = TimeSpan.FromMilliseconds(Long(BrokerSettingDefs.LogFlushSchedulerIntervalMs));
        LogRetentionCheckInterval = TimeSpan.FromMilliseconds(Long(BrokerSettingDefs.LogRetentionCheckIntervalMs));
        TransactionMaxTimeoutMs = Int(BrokerSettingDefs.TransactionMaxTimeoutMs);
        OffsetsRetentionMs = Int(BrokerSettingDefs.OffsetsRetentionMinutes) * 60_000L;
        OffsetsRetentionCheckIntervalMs = Long(BrokerSettingDefs.OffsetsRetentionCheckIntervalMs);
        OffsetMetadataMaxBytes = Int(BrokerSettingDefs.OffsetMetadataMaxBytes);
        GroupMinSessionTimeoutMs = Int(BrokerSettingDefs.GroupMinSessionTimeoutMs);
        GroupMaxSessionTimeoutMs = Int(BrokerSettingDefs.GroupMaxSessionTimeoutMs);
        GroupInitialRebalanceDelayMs = Int(BrokerSettingDefs.GroupInitialRebalanceDelayMs);
        GroupMaxSize = Int(BrokerSettingDefs.GroupMaxSize);
        GroupConsumerSessionTimeoutMs = Int(BrokerSettingDefs.GroupConsumerSessionTimeoutMs);
        GroupConsumerHeartbeatIntervalMs = Int(BrokerSettingDefs.GroupConsumerHeartbeatIntervalMs);
        GroupConsumerAssignors = ConsumerAssignors(Value(BrokerSettingDefs.GroupConsumerAssignors));
        LogCleanerEnable = Bool(BrokerSettingDefs.LogCleanerEnable);
        OffsetsTopicSegmentBytes = Int(BrokerSettingDefs.OffsetsTopicSegmentBytes);
        QueuedMaxRequestBytes = Long(BrokerSettingDefs.QueuedMaxRequestBytes);
        SocketRequestReceiveTimeout = TimeSpan.FromMilliseconds(Long(BrokerSettingDefs.SocketRequestReceiveTimeoutMs));
        FetchMaxBytes = Int(BrokerSettingDefs.FetchMaxBytes);
        MaxPartitionsPerRequest = Int(BrokerSettingDefs.MaxPartitionsPerRequest);
        MaxBrokerPartitions = Int(BrokerSettingDefs.MaxBrokerPartitions);
        Authorizer = Security.Authorization.AuthorizerSettings.Parse(
            Value(BrokerSettingDefs.AuthorizerClassName), Value(BrokerSettingDefs.SuperUsers), Bool(BrokerSettingDefs.AllowEveryoneIfNoAclFound));
        if (QueuedMaxRequestBytes is >= 0 and var queued && queued < SocketRequestMaxBytes + 4L)
        {
            // Otherwise a request of the largest allowed size could never be admitted and its connection would hang.
            throw new ArgumentException($"Invalid broker setting queued.max.request.bytes: {queued} is below socket.request.max.bytes ({SocketRequestMaxBytes}) plus its 4-byte size");
        }

        foreach (var (name, value) in _explicit)
        {
            if (name.EndsWith(BrokerSettingDefs.MaxConnectionsPerIpOverrides.Name, StringComparison.Ordinal) && ParseIpOverrides(value).Error is { } overridesError)
            {
                throw new ArgumentException($"Invalid broker setting {name}: {overridesError}");
            }
        }

        if (GroupMinSessionTimeoutMs > GroupMaxSessionTimeoutMs)
        {
            throw new ArgumentException(
                $"Invalid broker setting group.min.session.timeout.ms: {GroupMinSessionTimeoutMs} is above group.max.session.timeout.ms ({GroupMaxSessionTimeoutMs})");
        }
    }

    public int NodeId { get; }

    /// <summary><c>auto.create.topics.enable</c>.</summary>
    public bool AutoCreateTopics { get; }

    /// <summary><c>delete.topic.enable</c>.</summary>
    public bool DeleteTopicEnable { get; }

    /// <summary><c>num.partitions</c>.</summary>
    public int DefaultPartitions { get; }

    /// <summary><c>socket.request.max.bytes</c>.</summary>
    public int SocketRequestMaxBytes { get; }

    /// <summary><c>log.flush.scheduler.interval.ms</c>.</summary>
    public TimeSpan LogFlushSchedulerInterval { get; }

    /// <summary><c>log.retention.check.interval.ms</c>.</summary>
    public TimeSpan LogRetentionCheckInterval { get; }

    /// <summary><c>producer.id.expiration.ms</c>.</summary>
    public int ProducerIdExpirationMs => Int(BrokerSettingDefs.ProducerIdExpirationMs);

    /// <summary><c>transaction.max.timeout.ms</c>: the largest <c>transaction.timeout.ms</c> InitProducerId accepts.</summary>
    public int TransactionMaxTimeoutMs { get; }

    /// <summary><c>offsets.retention.minutes</c>, in milliseconds.</summary>
    public long OffsetsRetentionMs { get; }

    /// <summary><c>offsets.retention.check.interval.ms</c>.</summary>
    public long OffsetsRetentionCheckIntervalMs { get; }

    /// <summary><c>offset.metadata.max.bytes</c>.</summary>
    public int OffsetMetadataMaxBytes { get; }

    /// <summary><c>group.min.session.timeout.ms</c>.</summary>
    public int GroupMinSessionTimeoutMs { get; }

    /// <summary><c>group.max.session.timeout.ms</c>.</summary>
    public int GroupMaxSessionTimeoutMs { get; }

    /// <summary><c>group.initial.rebalance.delay.ms</c>.</summary>
    public int GroupInitialRebalanceDelayMs { get; }

    /// <summary><c>group.max.size</c>.</summary>
    public int GroupMaxSize { get; }

    /// <summary><c>group.consumer.session.timeout.ms</c>.</summary>
    public int GroupConsumerSessionTimeoutMs { get; }

    /// <summary><c>group.consumer.heartbeat.interval.ms</c>.</summary>
    public int GroupConsumerHeartbeatIntervalMs { get; }

    /// <summary><c>group.consumer.assignors</c>: known assignor names, the default first.</summary>
    public string[] GroupConsumerAssignors { get; }

    /// <summary>Parses <c>group.consumer.assignors</c>; an unknown name fails start-up, as in Kafka.</summary>
    private static string[] ConsumerAssignors(string value)
    {
        var names = value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(n => n.ToLowerInvariant()).ToArray();
        var unknown = names.FirstOrDefault(n => Groups.Consumer.PartitionAssignor.Find(n) is null);
        return names.Length == 0 ? throw new ArgumentException("Invalid value for configuration group.consumer.assignors: at least one assignor is required.")
            : unknown is not null ? throw new ArgumentException($"Invalid value {value} for configuration group.consumer.assignors: unknown assignor {unknown} (uniform and range are available).")
            : names;
    }

    /// <summary><c>log.cleaner.enable</c>.</summary>
    public bool LogCleanerEnable { get; }

    /// <summary><c>log.cleaner.backoff.ms</c>.</summary>
    public long LogCleanerBackoffMs => Long(BrokerSettingDefs.LogCleanerBackoffMs);

    /// <summary><c>log.cleaner.dedupe.buffer.size</c>.</summary>
    public long LogCleanerDedupeBufferSize => Long(BrokerSettingDefs.LogCleanerDedupeBufferSize);

    /// <summary><c>offsets.topic.segment.bytes</c>.</summary>
    public int OffsetsTopicSegmentBytes { get; }

    /// <summary><c>log.cleaner.io.max.bytes.per.second</c>.</summary>
    public double LogCleanerIoMaxBytesPerSecond => double.Parse(Value(BrokerSettingDefs.LogCleanerIoMaxBytesPerSecond), CultureInfo.InvariantCulture);

    /// <summary><c>queued.max.request.bytes</c> (-1 unbounded).</summary>
    public long QueuedMaxRequestBytes { get; }

    /// <summary><c>socket.request.receive.timeout.ms</c>.</summary>
    public TimeSpan SocketRequestReceiveTimeout { get; }

    /// <summary><c>fetch.max.bytes</c>.</summary>
    public int FetchMaxBytes { get; }

    /// <summary><c>max.partitions.per.request</c>.</summary>
    public int MaxPartitionsPerRequest { get; }

    /// <summary><c>max.broker.partitions</c>.</summary>
    public int MaxBrokerPartitions { get; }

    /// <summary><c>authorizer.class.name</c>, <c>super.users</c>, <c>allow.everyone.if.no.acl.found</c>.</summary>
    public Security.Authorization.AuthorizerSettings Authorizer { get; }

    /// <summary>
    /// The connection settings of one listener: <c>listener.name.&lt;listener&gt;.&lt;setting&gt;</c> where given
    /// (the listener name lower-cased, as Kafka writes it), else the broker-wide setting.
    /// </summary>
    public ListenerLimits ForListener(string listenerName)
    {
        string ValueFor(BrokerSettingDef def) =>
            _explicit.GetValueOrDefault(BrokerSettingDefs.ListenerPrefix + listenerName.ToLowerInvariant() + "." + def.Name) ?? Value(def);

        return new ListenerLimits(
            int.Parse(ValueFor(BrokerSettingDefs.MaxConnections), CultureInfo.InvariantCulture),
            int.Parse(ValueFor(BrokerSettingDefs.MaxConnectionsPerIp), CultureInfo.InvariantCulture),
            ParseIpOverrides(ValueFor(BrokerSettingDefs.MaxConnectionsPerIpOverrides)).Overrides,
            TimeSpan.FromMilliseconds(long.Parse(ValueFor(BrokerSettingDefs.ConnectionsMaxIdleMs), CultureInfo.InvariantCulture)));
    }

    /// <summary>
    /// A setting of one listener: <c>listener.name.&lt;listener&gt;.&lt;name&gt;</c> where given, else the broker-wide
    /// setting, else its default (null for a setting without one).
    /// </summary>
    public string? ListenerValue(string listenerName, string name) =>
        _explicit.GetValueOrDefault(BrokerSettingDefs.ListenerPrefix + listenerName.ToLowerInvariant() + "." + name)
        ?? Given(name)?.Value
        ?? BrokerSettingDefs.Find(name)?.Default;

    /// <summary>Only the per-listener form of a setting, without falling back to the broker-wide one.</summary>
    public string? ListenerOnlyValue(string listenerName, string name) =>
        _explicit.GetValueOrDefault(BrokerSettingDefs.ListenerPrefix + listenerName.ToLowerInvariant() + "." + name);

    /// <summary>Kafka's <c>max.connections.per.ip.overrides</c> format: <c>host:count</c> pairs separated by commas.</summary>
    internal static (Dictionary<string, int> Overrides, string? Error) ParseIpOverrides(string value)
    {
        var overrides = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        foreach (var item in value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var colon = item.LastIndexOf(':');
            if (colon <= 0 || !int.TryParse(item.AsSpan(colon + 1), NumberStyles.Integer, CultureInfo.InvariantCulture, out var count) || count < 0)
            {
                return (overrides, $"expected address:count pairs separated by commas, got '{item}'");
            }

            overrides[item[..colon].Trim('[', ']')] = count;
        }

        return (overrides, null);
    }

    /// <summary>Explicit settings this broker does not know (typos, or Kafka settings with no meaning here).</summary>
    public IEnumerable<string> UnknownSettings => _explicit.Keys.Where(k => k is not ("node.id" or "broker.id") && BrokerSettingDefs.FindWithListener(k) is null && TopicConfigDefs.FindBySynonym(k) is null);

    /// <summary>Whether a static or dynamic setting gives <paramref name="name"/> (its default does not apply).</summary>
    public bool IsExplicit(string name) => Given(name) is not null;

    private string Value(BrokerSettingDef def) =>
        Given(def.Name)?.Value ?? def.Default ?? throw new InvalidOperationException($"{def.Name} has no default");

    private bool Bool(BrokerSettingDef def) => bool.Parse(Value(def));

    private int Int(BrokerSettingDef def) => int.Parse(Value(def), CultureInfo.InvariantCulture);

    private long Long(BrokerSettingDef def) => long.Parse(Value(def), CultureInfo.InvariantCulture);

    private static string? DefaultOf(string name) => BrokerSettingDefs.Find(name)?.Default;

    /// <summary>
    /// The broker-level value for a topic config and which broker setting supplied it, following Kafka's synonym
    /// precedence (for example <c>log.retention.ms</c> before <c>.minutes</c> before <c>.hours</c>); a name given
    /// dynamically or statically comes before any default.
    /// </summary>
    public (string Value, string Name, ConfigSource Source) TopicDefault(TopicConfigDef def)
    {
        foreach (var (name, scale) in Synonyms(def))
        {
            if (Given(name) is { } given)
            {
                return (Scale(given.Value, scale), name, given.Source);
            }
        }

        foreach (var (name, scale) in Synonyms(def))
        {
            if (DefaultOf(name) is { } value)
            {
                return (Scale(value, scale), name, ConfigSource.DefaultConfig);
            }
        }

        return (def.Default, def.BrokerSynonym, ConfigSource.DefaultConfig);
    }

    /// <summary>
    /// The broker settings behind a topic config as DescribeConfigs lists them: layer by layer (dynamic for this
    /// broker, dynamic default, static, then defaults unless <paramref name="setOnly"/>), each in synonym precedence.
    /// </summary>
    public IEnumerable<(string Name, string Value, ConfigSource Source)> Synonyms(TopicConfigDef def, bool setOnly)
    {
        foreach (var (settings, source) in GivenLayers())
        {
            foreach (var (name, _) in Synonyms(def))
            {
                if (settings.TryGetValue(name, out var value))
                {
                    yield return (name, value, source);
                }
            }
        }

        if (setOnly)
        {
            yield break;
        }

        var defaulted = false;
        foreach (var (name, _) in Synonyms(def))
        {
            if (DefaultOf(name) is { } defaultValue)
            {
                defaulted = true;
                yield return (name, defaultValue, ConfigSource.DefaultConfig);
            }
        }

        if (!defaulted)
        {
            // The broker setting's default is the topic config's own (message.max.bytes, log.cleanup.policy, ...).
            yield return (def.BrokerSynonym, def.Default, ConfigSource.DefaultConfig);
        }
    }

    private static IEnumerable<(string Name, long Scale)> Synonyms(TopicConfigDef def) => def.Name switch
    {
        "retention.ms" => [("log.retention.ms", 1), ("log.retention.minutes", 60_000), ("log.retention.hours", 3_600_000)],
        "segment.ms" => [("log.roll.ms", 1), ("log.roll.hours", 3_600_000)],
        "segment.jitter.ms" => [("log.roll.jitter.ms", 1), ("log.roll.jitter.hours", 3_600_000)],
        _ => [(def.BrokerSynonym, 1)],
    };

    /// <summary>Kafka's synonyms of a broker setting (<c>DynamicBrokerConfig.brokerConfigSynonyms</c>), highest precedence first.</summary>
    private static IEnumerable<string> BrokerSynonyms(string name) => name switch
    {
        "log.retention.ms" or "log.retention.minutes" or "log.retention.hours" => ["log.retention.ms", "log.retention.minutes", "log.retention.hours"],
        "log.roll.ms" or "log.roll.hours" => ["log.roll.ms", "log.roll.hours"],
        "log.roll.jitter.ms" or "log.roll.jitter.hours" => ["log.roll.jitter.ms", "log.roll.jitter.hours"],
        _ => [name],
    };

    private static string Scale(string value, long scale) =>
        scale == 1 ? value : (long.Parse(value, CultureInfo.InvariantCulture) * scale).ToString(CultureInfo.InvariantCulture);

    /// <summary>
    /// Every broker setting to report in DescribeConfigs for this broker (<paramref name="clusterDefault"/> false:
    /// defaults, static and dynamic settings, topic synonyms) or for the cluster-wide default resource (only what is set
    /// there, as Kafka reports it). Secrets (passwords, keys, JAAS logins) are named with a null value, as Kafka reports
    /// password-type configs. Synonyms follow Kafka: layer by layer (dynamic broker, dynamic default, static, default),
    /// from the described name on.
    /// </summary>
    public IEnumerable<BrokerConfigEntry> All(bool clusterDefault = false)
    {
        var names = new SortedSet<string>(StringComparer.Ordinal);
        if (clusterDefault)
        {
            names.UnionWith(DynamicConfigs(clusterDefault: true).Keys);
        }
        else
        {
            names.UnionWith(BrokerSettingDefs.All.Where(d => d.Default is not null).Select(d => d.Name));
            names.UnionWith(_explicit.Keys);
            names.UnionWith(DynamicConfigs(clusterDefault: false).Keys);
            names.UnionWith(DynamicConfigs(clusterDefault: true).Keys);
            foreach (var def in TopicConfigDefs.All)
            {
                names.Add(def.BrokerSynonym);
            }

            names.Add("broker.id");
            names.Add("node.id");
        }

        foreach (var name in names)
        {
            if (SecuritySettingDefs.IsSensitive(name))
            {
                if (_explicit.ContainsKey(name))
                {
                    yield return new(name, null, ConfigSource.StaticBrokerConfig, [(name, null, ConfigSource.StaticBrokerConfig)]);
                }

                continue;
            }

            if (name is "broker.id" or "node.id")
            {
                var id = NodeId.ToString(CultureInfo.InvariantCulture);
                yield return new(name, id, ConfigSource.StaticBrokerConfig, [(name, id, ConfigSource.StaticBrokerConfig)]);
                continue;
            }

            var synonyms = new List<(string Name, string? Value, ConfigSource Source)>();
            var all = BrokerSynonyms(name).ToList();
            foreach (var (settings, source) in GivenLayers())
            {
                synonyms.AddRange(all.Where(settings.ContainsKey).Select(n => (n, (string?)settings[n], source)));
            }

            // A topic config's unscaled synonym defaults to the topic config's default (message.max.bytes, ...).
            synonyms.AddRange(all.Select(n => (n, DefaultOf(n) ?? (all.Count == 1 ? TopicConfigDefs.FindBySynonym(n)?.Default : null)))
                .Where(d => d.Item2 is not null).Select(d => (d.n, d.Item2, ConfigSource.DefaultConfig)));
            synonyms = [.. synonyms.SkipWhile(s => s.Name != name)];
            if (clusterDefault)
            {
                synonyms = [.. synonyms.Where(s => s.Source == ConfigSource.DynamicDefaultBrokerConfig)];
            }

            var value = clusterDefault ? DynamicConfigs(clusterDefault: true)[name]
                : Given(name)?.Value ?? DefaultOf(name) ?? TopicConfigDefs.FindBySynonym(name)?.Default;
            if (synonyms.Count == 0 && value is not null)
            {
                // log.retention.ms, log.roll.ms: no default of their own (the hours form has it); the value shown is the
                // topic config's default.
                synonyms.Add((name, value, ConfigSource.DefaultConfig));
            }

            yield return new(name, value, synonyms.Count == 0 ? ConfigSource.DefaultConfig : synonyms[0].Source, synonyms);
        }
    }
}
