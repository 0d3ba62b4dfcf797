namespace Streams.Consumers.Notifications;

/// <summary>
/// What the notifier pushes to clients: a kind (<c>alert</c>, <c>order</c>), the record's key, a JSON payload, and
/// where the record sits in the log, which is what makes a client's stream resumable.
/// </summary>
public sealed record Notification(string Kind, string? Key, string Json, string Topic, int Partition, long Offset);
