namespace Streams.Broker.Configs;

/// <summary>
/// One topic-level config as Kafka defines it: its default, the broker setting that supplies the default for every
/// topic (its synonym), and how a value is validated.
/// </summary>
internal sealed record TopicConfigDef(string Name, ConfigType Type, string Default, string BrokerSynonym, IReadOnlyList<string>? ValidValues = null, long Min = long.MinValue)
{
    /// <summary>Null when <paramref name="value"/> is acceptable, otherwise the reason it is not.</summary>
    public string? Validate(string? value) => ConfigValidation.Validate(Name, Type, value, Min, validValues: ValidValues);

    /// <summary>The value as Kafka prints it (lists without spaces, canonical booleans).</summary>
    public string Normalize(string value) => Type switch
    {
        ConfigType.List => string.Join(',', value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)),
        ConfigType.Boolean => bool.Parse(value) ? "true" : "false",
        _ => value.Trim(),
    };
}
