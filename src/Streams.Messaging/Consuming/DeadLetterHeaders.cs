namespace Streams.Messaging.Consuming;

/// <summary>Headers a dead-lettered record carries, next to its original key, value and headers.</summary>
public static class DeadLetterHeaders
{
    public const string Reason = "dlq-reason";
    public const string Exception = "dlq-exception";
    public const string Topic = "dlq-original-topic";
    public const string Partition = "dlq-original-partition";
    public const string Offset = "dlq-original-offset";
    public const string GroupId = "dlq-group-id";
}
