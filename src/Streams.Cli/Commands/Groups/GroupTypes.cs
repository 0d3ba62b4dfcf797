using Confluent.Kafka;

namespace Streams.Cli.Commands.Groups;

/// <summary>Kafka's names for group types, as <c>kafka-consumer-groups</c> prints them.</summary>
internal static class GroupTypes
{
    /// <summary>"classic" (JoinGroup/SyncGroup), "consumer" (KIP-848) or "unknown".</summary>
    public static string Name(ConsumerGroupType type) => type switch
    {
        ConsumerGroupType.Classic => "classic",
        ConsumerGroupType.Consumer => "consumer",
        _ => "unknown",
    };
}
