using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Streams.Consumers.Notifications;

/// <summary>
/// One client's Server-Sent Events stream: <c>retry:</c> first, then every notification the client's filter wants,
/// each with an <c>id:</c> that is the client's <see cref="NotificationPosition"/> after it. A client that sends
/// <c>Last-Event-ID</c> first gets what it missed, replayed from the log in partition order, then the live stream,
/// with nothing twice and nothing skipped. What cannot be delivered is said, never dropped: <c>gap</c> when the client
/// missed more than the log still holds or than <see cref="NotificationOptions.MaxReplay"/>, <c>behind</c> (and the
/// stream ends) when the client reads too slowly for its buffer. Idle streams get a comment line every
/// <see cref="NotificationOptions.KeepAlive"/>.
/// </summary>
public sealed class NotificationStream(NotificationHub hub, NotificationLog log, NotificationOptions options)
{
    /// <summary>Serves one client until it goes away or falls behind; <paramref name="write"/> sends text to it and flushes.</summary>
    public async Task RunAsync(string? lastEventId, NotificationFilter filter, Func<string, CancellationToken, Task> write, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(filter);
        ArgumentNullException.ThrowIfNull(write);

        // Live notifications queue up from here; the log's end is read after, so nothing falls between the two.
        using var live = hub.Subscribe();
        var watermarks = await log.WatermarksAsync(cancellationToken).ConfigureAwait(false);
        await write(FormattableString.Invariant($"retry: {(long)options.Retry.TotalMilliseconds}\n: connected\n\n"), cancellationToken).ConfigureAwait(false);

        var position = NotificationPosition.TryParse(lastEventId);
        if (position is null)
        {
            // A new client (or an id this server never gave): it starts at the present.
            position = new NotificationPosition();
            foreach (var (partition, offsets) in watermarks)
            {
                position.Set(partition.Topic, partition.Partition, offsets.High.Value);
            }
        }
        else
        {
            await CatchUpAsync(position, watermarks, filter, write, cancellationToken).ConfigureAwait(false);
        }

        await FollowAsync(live, position, filter, write, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Replays from the client's position to the log's end as it was when the client (re)connected.</summary>
    private async Task CatchUpAsync(NotificationPosition position, IReadOnlyDictionary<(string Topic, int Partition), Confluent.Kafka.WatermarkOffsets> watermarks, NotificationFilter filter, Func<string, CancellationToken, Task> write, CancellationToken cancellationToken)
    {
        var ranges = new Dictionary<(string Topic, int Partition), (long From, long To)>();
        foreach (var (partition, offsets) in watermarks)
        {
            // A partition the client's position does not name appeared after it left: all of it is new to the client.
            var from = position.NextOf(partition.Topic, partition.Partition) ?? offsets.Low.Value;
            if (from < offsets.Low.Value)
            {
                await WriteGapAsync(position, write, "retention", partition.Topic, partition.Partition, from, offsets.Low.Value, cancellationToken).ConfigureAwait(false);
                from = offsets.Low.Value;
            }

            position.Set(partition.Topic, partition.Partition, from);
            ranges[partition] = (from, Math.Max(from, offsets.High.Value));
        }

        var missed = ranges.Values.Sum(r => r.To - r.From);
        if (missed > options.MaxReplay)
        {
            // Too much to replay: say so per partition and start at the present.
            foreach (var (partition, range) in ranges.Where(r => r.Value.To > r.Value.From))
            {
                await WriteGapAsync(position, write, "max-replay", partition.Topic, partition.Partition, range.From, range.To, cancellationToken).ConfigureAwait(false);
                position.Set(partition.Topic, partition.Partition, range.To);
            }

            return;
        }

        await foreach (var (topic, partition, offset, notification) in log.ReadAsync(ranges, cancellationToken).ConfigureAwait(false))
        {
            position.Advance(topic, partition, offset);
            if (notification is not null && filter.Matches(notification))
            {
                await WriteEventAsync(notification, position, write, cancellationToken).ConfigureAwait(false);
            }
        }

        // Records the replay did not meet (removed by compaction) are behind the client all the same.
        foreach (var (partition, range) in ranges)
        {
            position.Advance(partition.Topic, partition.Partition, range.To - 1);
        }
    }

    private async Task FollowAsync(NotificationHub.Subscription live, NotificationPosition position, NotificationFilter filter, Func<string, CancellationToken, Task> write, CancellationToken cancellationToken)
    {
        try
        {
            Task<bool>? ready = null;
            while (true)
            {
                // One wait is kept across keep-alives, so an idle stream holds one pending read, not one per interval.
                ready ??= live.Reader.WaitToReadAsync(cancellationToken).AsTask();
                try
                {
                    await ready.WaitAsync(options.KeepAlive, cancellationToken).ConfigureAwait(false);
                }
                catch (TimeoutException)
                {
                    await write(": keep-alive\n\n", cancellationToken).ConfigureAwait(false);
                    continue;
                }

                var more = await ready.ConfigureAwait(false);
                ready = null;
                if (!more)
                {
                    return;
                }

                while (live.Reader.TryRead(out var notification))
                {
                    // Already replayed, or from before the client's start (the notifier group may run behind the log).
                    if (position.IsBefore(notification.Topic, notification.Partition, notification.Offset))
                    {
                        continue;
                    }

                    position.Advance(notification.Topic, notification.Partition, notification.Offset);
                    if (filter.Matches(notification))
                    {
                        await WriteEventAsync(notification, position, write, cancellationToken).ConfigureAwait(false);
                    }
                }
            }
        }
        catch (ClientFellBehindException)
        {
            // Everything before the position was sent; the client resumes from it (EventSource does so by itself).
            var data = JsonSerializer.Serialize(new { resumeFrom = position.ToString(), reason = $"more than {options.ClientBuffer} notifications waited for this client" });
            await write($"id: {position}\nevent: behind\ndata: {data}\n\n", cancellationToken).ConfigureAwait(false);
        }
    }

    private static Task WriteEventAsync(Notification notification, NotificationPosition position, Func<string, CancellationToken, Task> write, CancellationToken cancellationToken) =>
        write($"id: {position}\nevent: {notification.Kind}\ndata: {notification.Json}\n\n", cancellationToken);

    private static Task WriteGapAsync(NotificationPosition position, Func<string, CancellationToken, Task> write, string reason, string topic, int partition, long from, long to, CancellationToken cancellationToken)
    {
        var data = JsonSerializer.Serialize(new { reason, topic, partition, fromOffset = from, toOffset = to, missed = to - from });
        return write(string.Create(CultureInfo.InvariantCulture, $"id: {position}\nevent: gap\ndata: {data}\n\n"), cancellationToken);
    }
}
