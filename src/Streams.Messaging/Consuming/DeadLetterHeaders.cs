namespace Streams.Messaging.Consuming;

/// <summary>Headers a dead-lettered record carries, next to its original key, value and headers.</summary>
public static class DeadLetterHeaders
{
    /// <summary>Why the record was dead-lettered (<c>deserialization-failed</c>, <c>handler-failed</c>, <c>handler-failed-after-retries</c>).</summary>
    public const string Reason = "dlq-reason";

    /// <summary>The exception's type and message.</summary>
    public const string Exception = "dlq-exception";

    /// <summary>The topic the record was read from.</summary>
    public const string Topic = "dlq-original-topic";

    /// <summary>Its partition.</summary>
    public const string Partition = "dlq-original-partition";

    /// <summary>Its offset.</summary>
    public const string Offset = "dlq-original-offset";

    /// <summary>The consumer group (or Streamiz application) that gave up on it.</summary>
    public const string GroupId = "dlq-group-id";
}
