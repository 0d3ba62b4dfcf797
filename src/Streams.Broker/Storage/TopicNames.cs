namespace Streams.Broker.Storage;

internal static class TopicNames
{
    private const int MaxLength = 249;

    /// <summary>Kafka's rule: 1-249 of [a-zA-Z0-9._-], and not "." or "..".</summary>
    public static string? Validate(string? name)
    {
        if (string.IsNullOrEmpty(name))
        {
            return "Topic name is empty";
        }

        if (name is "." or "..")
        {
            return $"Topic name cannot be '{name}'";
        }

        if (name.Length > MaxLength)
        {
            return $"Topic name is longer than {MaxLength} characters";
        }

        foreach (var c in name)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-'))
            {
                return $"Topic name '{name}' contains '{c}'; only ASCII letters, digits, '.', '_' and '-' are allowed";
            }
        }

        return null;
    }
}
