namespace Streams.Consumers.Notifications;

/// <summary>What the notifier pushes to clients: a kind (<c>alert</c>, <c>order</c>) and a JSON payload.</summary>
public sealed record Notification(string Kind, string Json);
