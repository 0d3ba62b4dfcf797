namespace Streams.Messaging.Consuming;

/// <summary>One independent consumer group: its id, what it reads, and how it handles what it cannot read.</summary>
public sealed class EventConsumerOptions
{
    /// <summary>Kafka <c>bootstrap.servers</c>.</summary>
    public string BootstrapServers { get; set; } = "127.0.0.1:9092";

    /// <summary>The consumer group: its committed offsets are its own, so every group reads every event at its own pace.</summary>
    public required string GroupId { get; set; }

    public required IReadOnlyList<string> Topics { get; set; }

    /// <summary>Where a new group starts; <c>earliest</c> so a new consumer replays the whole log.</summary>
    public Confluent.Kafka.AutoOffsetReset AutoOffsetReset { get; set; } = Confluent.Kafka.AutoOffsetReset.Earliest;

    /// <summary>Where records that cannot be deserialized or handled go, with the reason in headers.</summary>
    public string DeadLetterTopic { get; set; } = "dead-letters";

    /// <summary>Extra librdkafka consumer settings (SASL/TLS, tuning).</summary>
    public IDictionary<string, string> Kafka { get; } = new Dictionary<string, string>(StringComparer.Ordinal);
}
