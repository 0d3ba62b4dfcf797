using System.Globalization;

namespace Streams.Broker.Configs;

/// <summary>The checks Kafka's <c>ConfigDef</c> applies to a value by type, range and valid values; shared by topic and broker configs.</summary>
internal static class ConfigValidation
{
    /// <summary>Null when <paramref name="value"/> is acceptable, otherwise the reason it is not, naming the config.</summary>
    public static string? Validate(string name, ConfigType type, string? value, long min = long.MinValue, long max = long.MaxValue, IReadOnlyList<string>? validValues = null)
    {
        if (value is null)
        {
            return $"{name} must not be null";
        }

        var range = max == long.MaxValue ? $"≥ {min}" : $"in {min}..{max}";
        switch (type)
        {
            case ConfigType.Boolean when !bool.TryParse(value, out _):
                return $"{name} must be true or false, got '{value}'";
            case ConfigType.Int when !int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var i) || i < min || i > max:
                return $"{name} must be an int {range}, got '{value}'";
            case ConfigType.Long when !long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var l) || l < min || l > max:
                return $"{name} must be a long {range}, got '{value}'";
            case ConfigType.Double when !double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out _):
                return $"{name} must be a number, got '{value}'";
        }

        if (validValues is null)
        {
            return null;
        }

        var items = type == ConfigType.List ? value.Split(',', StringSplitOptions.TrimEntries) : [value];
        foreach (var item in items)
        {
            if (!validValues.Contains(item, StringComparer.OrdinalIgnoreCase))
            {
                return $"{name} must be one of {string.Join(", ", validValues)}, got '{item}'";
            }
        }

        return null;
    }
}
