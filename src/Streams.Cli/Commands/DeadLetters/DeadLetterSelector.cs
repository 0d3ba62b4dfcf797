using System.Globalization;
using Streams.Cli.Infrastructure;

namespace Streams.Cli.Commands.DeadLetters;

/// <summary>Dead letters named by their position in the dead-letter topic: <c>partition:offset</c> (or an offset in partition 0).</summary>
internal static class DeadLetterSelector
{
    public static (int Partition, long Offset) Parse(string text)
    {
        var parts = text.Split(':');
        var ok = parts.Length switch
        {
            1 => long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var offset) ? (0, offset) : ((int, long)?)null,
            2 => int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var p) && long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var o) ? (p, o) : null,
            _ => null,
        };
        return ok ?? throw CliException.Usage($"a dead letter is named partition:offset (as 'dead-letters list' shows it), got '{text}'");
    }
}
