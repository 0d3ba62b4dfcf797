using System.Globalization;

namespace Streams.Broker.Configs;

/// <summary>The checks Kafka's <c>ConfigDef</c> applies to a value by type, range and valid values; shared by topic and broker configs.</summary>
internal static class ConfigValidation
{
    /// <summary>
    /// Null when <paramref name="value"/> is acceptable, otherwise the reason it is not in the words of Kafka's
    /// <c>ConfigException</c> ("Invalid value X for configuration Y: ..."), so messages users search for match Kafka's.
    /// </summary>
    public static string? Validate(string name, ConfigType type, string? value, long min = long.MinValue, long max = long.MaxValue, IReadOnlyList<string>? validValues = null)
    {
        if (value is null)
        {
            return Invalid(name, "null", "Value must not be null");
        }

        switch (type)
        {
            case ConfigType.Boolean when !bool.TryParse(value.Trim(), out _):
                return Invalid(name, value, "Expected value to be either true or false");
            case ConfigType.Int when !int.TryParse(value.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var i):
                return Invalid(name, value, "Not a number of type INT");
            case ConfigType.Long when !long.TryParse(value.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var l):
                return Invalid(name, value, "Not a number of type LONG");
            case ConfigType.Double when !double.TryParse(value.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out _):
                return Invalid(name, value, "Not a number of type DOUBLE");
            case ConfigType.Int or ConfigType.Long when long.Parse(value.Trim(), CultureInfo.InvariantCulture) is var number && (number < min || number > max):
                return Invalid(name, value, number < min ? $"Value must be at least {min}" : $"Value must be no more than {max}");
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
                return Invalid(name, value, $"String must be one of: {string.Join(", ", validValues)}");
            }
        }

        return null;
    }

    private static string Invalid(string name, string value, string reason) => $"Invalid value {value} for configuration {name}: {reason}";
}
