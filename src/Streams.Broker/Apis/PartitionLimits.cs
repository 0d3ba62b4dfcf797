namespace Streams.Broker.Apis;

/// <summary>
/// <c>max.partitions.per.request</c> and <c>max.broker.partitions</c>, checked by CreateTopics and CreatePartitions
/// before anything is created. Kafka answers POLICY_VIOLATION when a request creates too many partitions at once;
/// the broker-wide bound (KIP-578) answers the same, since it is this broker's policy.
/// </summary>
internal static class PartitionLimits
{
    /// <summary>Held from the check to the creation, so two requests cannot both pass against the same count.</summary>
    public static readonly object AdminLock = new();

    /// <returns>Why <paramref name="adding"/> new partitions are refused, or null when they fit.</returns>
    public static string? Check(BrokerContext broker, long adding)
    {
        var config = broker.Config;
        if (adding > config.MaxPartitionsPerRequest)
        {
            return $"Excessively large number of partitions per request: {adding} > max.partitions.per.request ({config.MaxPartitionsPerRequest}).";
        }

        var current = broker.Logs.Topics.Sum(t => (long)t.Partitions.Count);
        return current + adding > config.MaxBrokerPartitions
            ? $"The broker holds {current} partitions; {adding} more would exceed max.broker.partitions ({config.MaxBrokerPartitions})."
            : null;
    }
}
