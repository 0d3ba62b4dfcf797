using System.Globalization;

namespace Streams.Broker.Configs;

/// <summary>
/// One topic-level config as Kafka defines it: its default, the broker setting that supplies the default for every
/// topic (its synonym), and how a value is validated.
/// </summary>
internal sealed record TopicConfigDef(string Name, ConfigType Type, string Default, string BrokerSynonym, IReadOnlyList<string>? ValidValues = null, long Min = long.MinValue)
{
    /// <summary>Null when <paramref name="value"/> is acceptable, otherwise the reason it is not.</summary>
    public string? Validate(string? value)
    {
        if (value is null)
        {
            return $"{Name} must not be null";
        }

        switch (Type)
        {
            case ConfigType.Boolean when !bool.TryParse(value, out _):
                return $"{Name} must be true or false, got '{value}'";
            case ConfigType.Int when !int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var i) || i < Min:
                return $"{Name} must be an int ≥ {Min}, got '{value}'";
            case ConfigType.Long when !long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var l) || l < Min:
                return $"{Name} must be a long ≥ {Min}, got '{value}'";
            case ConfigType.Double when !double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out _):
                return $"{Name} must be a number, got '{value}'";
        }

        if (ValidValues is null)
        {
            return null;
        }

        var items = Type == ConfigType.List ? value.Split(',', StringSplitOptions.TrimEntries) : [value];
        foreach (var item in items)
        {
            if (!ValidValues.Contains(item, StringComparer.OrdinalIgnoreCase))
            {
                return $"{Name} must be one of {string.Join(", ", ValidValues)}, got '{item}'";
            }
        }

        return null;
    }

    /// <summary>The value as Kafka prints it (lists without spaces, canonical booleans).</summary>
    public string Normalize(string value) => Type switch
    {
        ConfigType.List => string.Join(',', value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)),
        ConfigType.Boolean => bool.Parse(value) ? "true" : "false",
        _ => value.Trim(),
    };
}
