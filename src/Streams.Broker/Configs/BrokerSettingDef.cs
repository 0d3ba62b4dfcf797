namespace Streams.Broker.Configs;

/// <summary>
/// One broker-level setting (<c>server.properties</c>) that is not a topic config's synonym: its Kafka name, type,
/// default, allowed range and what it does. Topic-config synonyms (<c>log.retention.ms</c>, ...) are defined by
/// <see cref="TopicConfigDefs"/>. A null <see cref="Default"/> marks a setting that only matters when given
/// (a scaled synonym such as <c>log.retention.minutes</c>).
/// </summary>
internal sealed record BrokerSettingDef(string Name, ConfigType Type, string? Default, string Documentation, long Min = long.MinValue, long Max = long.MaxValue)
{
    public string? Validate(string? value, string? givenName = null) => ConfigValidation.Validate(givenName ?? Name, Type, value, Min, Max);
}
