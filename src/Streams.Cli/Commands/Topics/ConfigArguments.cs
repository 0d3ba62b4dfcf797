using Streams.Cli.Infrastructure;

namespace Streams.Cli.Commands.Topics;

/// <summary>Reads <c>--config name=value</c> options as kafka-topics takes them.</summary>
internal static class ConfigArguments
{
    public static Dictionary<string, string> Parse(IEnumerable<string>? values)
    {
        var configs = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var value in values ?? [])
        {
            var separator = value.IndexOf('=', StringComparison.Ordinal);
            if (separator <= 0)
            {
                throw CliException.Usage($"--config expects name=value, got '{value}'");
            }

            configs[value[..separator].Trim()] = value[(separator + 1)..].Trim();
        }

        return configs;
    }
}
