namespace Streams.Registry.Hosting;

/// <summary><c>--kafka-set name=value</c> arguments: librdkafka settings given on the command line.</summary>
internal static class KafkaSettingArguments
{
    /// <summary>Splits each <c>name=value</c> at its first <c>=</c> (values may contain more); throws on a missing name or <c>=</c>.</summary>
    public static IEnumerable<KeyValuePair<string, string>> Parse(IEnumerable<string> arguments)
    {
        foreach (var argument in arguments)
        {
            var equals = argument.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                throw new FormatException($"--kafka-set takes name=value (a librdkafka setting), got '{argument}'.");
            }

            yield return new(argument[..equals].Trim(), argument[(equals + 1)..]);
        }
    }
}
