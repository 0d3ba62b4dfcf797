namespace Streams.Broker.Storage;

internal static class TopicNames
{
    /// <summary>Committed offsets and group metadata, written by the group coordinator.</summary>
    public const string ConsumerOffsets = "__consumer_offsets";

    /// <summary>Transaction coordinator state; reserved now so clients cannot take the name before transactions exist.</summary>
    public const string TransactionState = "__transaction_state";

    private const int MaxLength = 249;

    /// <summary>
    /// Kafka's internal topics (its <c>Topic.isInternal</c>): only the broker writes them. Clients may read them,
    /// but not produce to, delete records of, or delete them. Other names starting with "__" are ordinary topics.
    /// </summary>
    public static bool IsInternal(string name) => name is ConsumerOffsets or TransactionState;

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
