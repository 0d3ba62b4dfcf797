namespace Streams.Broker.Configs;

/// <summary>
/// Which broker settings AlterConfigs and IncrementalAlterConfigs may change at run time (Kafka's dynamic broker
/// configs), limited to those this broker takes up without a restart: the broker-wide defaults of topic configs
/// (Kafka's primary synonyms; a topic without its own override sees the new value at once, and a config a single node
/// ignores is stored and described as a topic override would be), the log cleaner's pace and memory, producer-id
/// expiry, and the connection limits. Every other setting, including dynamic ones in Kafka this broker does not
/// honour (thread counts, listeners, keystores), is refused with Kafka's "Cannot update these configs dynamically".
/// </summary>
internal static class DynamicBrokerSettings
{
    private static readonly HashSet<string> Others = new(StringComparer.Ordinal)
    {
        BrokerSettingDefs.LogCleanerBackoffMs.Name,
        BrokerSettingDefs.LogCleanerDedupeBufferSize.Name,
        BrokerSettingDefs.LogCleanerIoMaxBytesPerSecond.Name,
        BrokerSettingDefs.ProducerIdExpirationMs.Name,
        BrokerSettingDefs.MaxConnections.Name,
        BrokerSettingDefs.MaxConnectionsPerIp.Name,
        BrokerSettingDefs.MaxConnectionsPerIpOverrides.Name,
    };

    // Dynamic in Kafka but fixed here (one cleaner thread, no thread pools to resize, listeners and keystores bound at
    // start): refused with Kafka's words plus why, so nobody reads it as a mistake in the name.
    private static readonly HashSet<string> KafkaOnly = new(StringComparer.Ordinal)
    {
        "log.cleaner.threads", "log.cleaner.io.buffer.size", "log.cleaner.io.buffer.load.factor", "num.io.threads",
        "num.network.threads", "num.replica.fetchers", "num.recovery.threads.per.data.dir", "background.threads",
        "metric.reporters", "max.connection.creation.rate", "transaction.partition.verification.enable",
        "listeners", "advertised.listeners", "listener.security.protocol.map",
    };

    /// <summary>Kafka's refusal of settings that cannot change at run time, naming them as Kafka does.</summary>
    public static string Refusal(IReadOnlyCollection<string> names) =>
        $"Cannot update these configs dynamically: Set({string.Join(", ", names)})"
        + (names.Any(n => KafkaOnly.Contains(n) || n.StartsWith(BrokerSettingDefs.ListenerPrefix, StringComparison.Ordinal) || n.StartsWith("ssl.", StringComparison.Ordinal))
            ? " (dynamic in Kafka; the embedded broker applies them only at start)"
            : string.Empty);

    /// <summary>Whether <paramref name="name"/> may be set dynamically (for the broker or as the cluster-wide default).</summary>
    public static bool IsDynamic(string name) => Others.Contains(name) || TopicConfigDefs.FindBySynonym(name) is not null;

    /// <summary>Null when <paramref name="value"/> is acceptable for the dynamic setting, else Kafka's wording of why not.</summary>
    public static string? Validate(string name, string value)
    {
        if (BrokerSettingDefs.Find(name) is { } def)
        {
            return def.Validate(value, name) ?? (name == BrokerSettingDefs.MaxConnectionsPerIpOverrides.Name && BrokerConfig.ParseIpOverrides(value).Error is { } error
                ? $"Invalid value {value} for configuration {name}: {error}"
                : null);
        }

        var synonymOf = TopicConfigDefs.FindBySynonym(name)!;
        return ConfigValidation.Validate(name, synonymOf.Type, value, synonymOf.Min, validValues: synonymOf.ValidValues);
    }

    /// <summary>The stored form of a value (lists without spaces, canonical booleans), as a topic override is stored.</summary>
    public static string Normalize(string name, string value) =>
        TopicConfigDefs.FindBySynonym(name) is { } def ? def.Normalize(value) : value.Trim();

    /// <summary>The setting's type, for APPEND and SUBTRACT (lists only).</summary>
    public static ConfigType? TypeOf(string name) =>
        BrokerSettingDefs.FindWithListener(name)?.Type ?? TopicConfigDefs.FindBySynonym(name)?.Type;

    /// <summary>The setting's default as text (what APPEND and SUBTRACT start from when nothing is set).</summary>
    public static string? DefaultOf(string name) =>
        BrokerSettingDefs.Find(name)?.Default ?? TopicConfigDefs.FindBySynonym(name)?.Default;
}
