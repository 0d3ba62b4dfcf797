namespace Streams.Messaging.Consuming;

/// <summary>One independent consumer group: its id, what it reads, and how it handles what it cannot read.</summary>
public sealed class EventConsumerOptions
{
    /// <summary>Kafka <c>bootstrap.servers</c>.</summary>
    public string BootstrapServers { get; set; } = "127.0.0.1:9092";

    /// <summary>The consumer group: its committed offsets are its own, so every group reads every event at its own pace.</summary>
    public required string GroupId { get; set; }

    /// <summary>The topics the group reads.</summary>
    public required IReadOnlyList<string> Topics { get; set; }

    /// <summary>Where a new group starts; <c>earliest</c> so a new consumer replays the whole log.</summary>
    public Confluent.Kafka.AutoOffsetReset AutoOffsetReset { get; set; } = Confluent.Kafka.AutoOffsetReset.Earliest;

    /// <summary>Where records that cannot be deserialized or handled go, with the reason in headers.</summary>
    public string DeadLetterTopic { get; set; } = "dead-letters";

    /// <summary>How often a handler that fails with a transient error is tried before the record is dead-lettered.</summary>
    public int MaxAttempts { get; set; } = 5;

    /// <summary>First retry delay; doubles on every attempt, capped at 5 s.</summary>
    public TimeSpan RetryBackoff { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Which handler failures are worth retrying (timeouts, I/O, retriable Kafka errors by default).</summary>
    public Func<Exception, bool> IsTransient { get; set; } = static ex =>
        ex is TimeoutException or IOException or System.Net.Http.HttpRequestException
        || (ex is Confluent.Kafka.KafkaException kafka && !kafka.Error.IsFatal);

    /// <summary>
    /// Records read ahead per partition while its worker is busy; a partition whose worker falls further behind is
    /// paused until it catches up, so one slow partition never holds the others back.
    /// </summary>
    public int BufferPerPartition { get; set; } = 500;

    /// <summary>Called with the number of partitions held after every assignment change (for readiness checks).</summary>
    public Action<int>? AssignmentChanged { get; set; }

    /// <summary>Extra librdkafka consumer settings (SASL/TLS, tuning).</summary>
    public IDictionary<string, string> Kafka { get; } = new Dictionary<string, string>(StringComparer.Ordinal);
}
