using System.Text;

namespace Streams.Consumers.Notifications;

/// <summary>
/// A published notification as the hub keeps it for its clients: numbered in publish order, with its Server-Sent-Events
/// frame formatted once for all of them.
/// </summary>
/// <remarks>
/// The frame's <c>id:</c> is the hub's position after the notification: the position of every client whose own
/// position was the hub's before it (<see cref="Before"/>), that is, every client following live that has been told
/// everything the hub published. Such a client writes <see cref="Utf8"/> as it is instead of formatting its own id,
/// which at 1,000 clients is what separates one formatting per event from a thousand.
/// </remarks>
public sealed class NotificationFrame
{
    internal NotificationFrame(Notification notification, NotificationPosition before, NotificationPosition after, long number, long publishedAt)
    {
        Notification = notification;
        Before = before;
        After = after;
        Number = number;
        PublishedAt = publishedAt;
        if (!ReferenceEquals(before, after))
        {
            Utf8 = Encoding.UTF8.GetBytes(NotificationStream.EventText(after, notification));
        }
    }

    /// <summary>The notification.</summary>
    public Notification Notification { get; }

    /// <summary>The hub's position before this notification (never changed once published).</summary>
    internal NotificationPosition Before { get; }

    /// <summary>
    /// The hub's position after it: the same instance as <see cref="Before"/> when the notification is behind the
    /// hub's position (already published, e.g. by a rebalanced consumer group redelivering it), which no client is told.
    /// </summary>
    internal NotificationPosition After { get; }

    /// <summary>Its place in the hub's publish order (0 for the first).</summary>
    internal long Number { get; }

    /// <summary>When the hub published it (<see cref="Environment.TickCount64"/>).</summary>
    internal long PublishedAt { get; }

    /// <summary>The whole SSE event in UTF-8 with <see cref="After"/> as its id; empty when <see cref="After"/> is <see cref="Before"/>.</summary>
    internal byte[] Utf8 { get; } = [];
}
