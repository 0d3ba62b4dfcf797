using Streams.Broker.Protocol;

namespace Streams.Broker.Apis;

/// <summary>One feature flag as ApiVersions v3+ reports it: the levels this broker could run and the one in force.</summary>
internal readonly record struct BrokerFeature(string Name, short MinLevel, short MaxLevel, short FinalizedLevel);

/// <summary>
/// The feature flags a freshly formatted single-node KRaft cluster of Kafka 4.0 reports, each capped at what this
/// broker serves: clients read them to choose protocols, so a level whose requests are not implemented here would send
/// them down a path that fails. <c>group.version</c> 1 (KIP-848 consumer groups) needs ConsumerGroupHeartbeat,
/// <c>transaction.version</c> 2 (KIP-890 part 2) needs Produce v12 and EndTxn v5.
/// </summary>
internal static class BrokerFeatures
{
    /// <summary>metadata.version 3.3-IV3, the oldest Kafka 4.0 starts with.</summary>
    public const short MinMetadataVersion = 7;

    /// <summary>metadata.version 4.0-IV3, the level Kafka 4.0 formats new clusters with.</summary>
    public const short MetadataVersion = 25;

    /// <summary>The epoch of the finalized features: they never change on this broker, so any fixed positive value serves.</summary>
    public const long FinalizedEpoch = 1;

    public static IReadOnlyList<BrokerFeature> Of(ApiRegistry registry)
    {
        var groupVersion = (short)(registry.Find((short)ApiKey.ConsumerGroupHeartbeat) is not null ? 1 : 0);
        var transactionVersion = (short)(Max(registry, ApiKey.Produce) >= 12 && Max(registry, ApiKey.EndTxn) >= 5 ? 2 : 0);
        return
        [
            new("eligible.leader.replicas.version", 0, 0, 0),
            new("group.version", 0, groupVersion, groupVersion),
            new("kraft.version", 0, 0, 0),
            new("metadata.version", MinMetadataVersion, MetadataVersion, MetadataVersion),
            new("transaction.version", 0, transactionVersion, transactionVersion),
        ];
    }

    private static short Max(ApiRegistry registry, ApiKey key) => registry.Find((short)key)?.MaxVersion ?? -1;
}
