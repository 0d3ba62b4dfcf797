using System.Buffers;
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
/// stream ends) when the client reads too slowly for its buffer (<see cref="NotificationOptions.ClientBuffer"/>,
/// <see cref="NotificationOptions.ClientLag"/>). Idle streams get a comment line every
/// <see cref="NotificationOptions.KeepAlive"/>.
/// </summary>
/// <remarks>
/// Everything published since the client's last write goes out in one write (one flush), and the hub wakes clients
/// at most once per <see cref="NotificationOptions.WriteInterval"/>: at 1,000 clients and 1,000 events a second a
/// flush per event is a million socket sends a second. While the client's position is the hub's,
/// it sends the hub's frames as they are (<see cref="NotificationFrame"/>); otherwise (after a replay, or while the
/// hub catches up to where the client started) it formats its own, until the two meet.
/// </remarks>
public sealed class NotificationStream(NotificationHub hub, NotificationLog log, NotificationOptions options)
{
    /// <summary>A batch this large is written before reading more, so a burst does not grow one client's buffer without bound.</summary>
    private const int WriteAt = 16 * 1024;

    /// <summary>
    /// Serves one client until it goes away or falls behind; <paramref name="write"/> sends UTF-8 text to it and
    /// flushes (the memory is reused once it returns).
    /// </summary>
    public async Task RunAsync(string? lastEventId, NotificationFilter filter, Func<ReadOnlyMemory<byte>, CancellationToken, ValueTask> write, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(filter);
        ArgumentNullException.ThrowIfNull(write);

        // Live notifications are kept for the client from here; the log's end is read after, so nothing falls between the two.
        using var live = hub.Subscribe();
        var watermarks = await log.WatermarksAsync(cancellationToken).ConfigureAwait(false);
        var output = new Output(write);
        output.Append(FormattableString.Invariant($"retry: {(long)options.Retry.TotalMilliseconds}\n: connected\n\n"));
        await output.WriteAsync(cancellationToken).ConfigureAwait(false);

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
            await CatchUpAsync(position, watermarks, filter, output, cancellationToken).ConfigureAwait(false);
        }

        hub.AddPartitions(watermarks.Select(w => KeyValuePair.Create(w.Key, w.Value.High.Value)));
        await FollowAsync(live, position, filter, output, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Replays from the client's position to the log's end as it was when the client (re)connected.</summary>
    private async Task CatchUpAsync(NotificationPosition position, IReadOnlyDictionary<(string Topic, int Partition), Confluent.Kafka.WatermarkOffsets> watermarks, NotificationFilter filter, Output output, CancellationToken cancellationToken)
    {
        var ranges = new Dictionary<(string Topic, int Partition), (long From, long To)>();
        foreach (var (partition, offsets) in watermarks)
        {
            // A partition the client's position does not name appeared after it left: all of it is new to the client.
            var from = position.NextOf(partition.Topic, partition.Partition) ?? offsets.Low.Value;
            if (from < offsets.Low.Value)
            {
                AppendGap(position, output, "retention", partition.Topic, partition.Partition, from, offsets.Low.Value);
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
                AppendGap(position, output, "max-replay", partition.Topic, partition.Partition, range.From, range.To);
                position.Set(partition.Topic, partition.Partition, range.To);
            }

            await output.WriteAsync(cancellationToken).ConfigureAwait(false);
            return;
        }

        await output.WriteAsync(cancellationToken).ConfigureAwait(false);
        await foreach (var (topic, partition, offset, notification) in log.ReadAsync(ranges, cancellationToken).ConfigureAwait(false))
        {
            position.Advance(topic, partition, offset);
            if (notification is not null && filter.Matches(notification))
            {
                output.Append(EventText(position, notification));
                await output.WriteAsync(cancellationToken).ConfigureAwait(false);
            }
        }

        // Records the replay did not meet (removed by compaction) are behind the client all the same.
        foreach (var (partition, range) in ranges)
        {
            position.Advance(partition.Topic, partition.Partition, range.To - 1);
        }
    }

    private async Task FollowAsync(NotificationHub.Subscription live, NotificationPosition position, NotificationFilter filter, Output output, CancellationToken cancellationToken)
    {
        // While set, the client's position is this hub position (and `position` is stale): it sends the hub's frames.
        NotificationPosition? inStep = null;
        var lastWrite = Environment.TickCount64;
        var quiet = (long)(options.KeepAlive / 2).TotalMilliseconds;
        try
        {
            while (true)
            {
                await live.WaitAsync(cancellationToken).ConfigureAwait(false);
                while (output.Length < WriteAt && live.TryRead(out var frame))
                {
                    var notification = frame.Notification;
                    if (inStep is not null && ReferenceEquals(frame.Before, inStep))
                    {
                        inStep = frame.After;
                        if (!ReferenceEquals(frame.Before, frame.After) && filter.Matches(notification))
                        {
                            output.Append(frame.Utf8);
                        }

                        continue;
                    }

                    if (inStep is not null)
                    {
                        // The hub's position changed between frames (it learned of a partition): compare again below.
                        position = inStep.Copy();
                        inStep = null;
                    }

                    if (position.SameAs(frame.Before))
                    {
                        inStep = frame.After;
                        if (!ReferenceEquals(frame.Before, frame.After) && filter.Matches(notification))
                        {
                            output.Append(frame.Utf8);
                        }

                        continue;
                    }

                    // Already replayed, or from before the client's start (the notifier group may run behind the log).
                    if (position.IsBefore(notification.Topic, notification.Partition, notification.Offset))
                    {
                        continue;
                    }

                    position.Advance(notification.Topic, notification.Partition, notification.Offset);
                    if (filter.Matches(notification))
                    {
                        output.Append(EventText(position, notification));
                    }
                }

                // Nothing to send (a keep-alive pulse, or only events the filter does not want): keep-alive when quiet.
                if (output.Length == 0 && Environment.TickCount64 - lastWrite >= quiet)
                {
                    output.Append(": keep-alive\n\n");
                }

                if (output.Length > 0)
                {
                    await output.WriteAsync(cancellationToken).ConfigureAwait(false);
                    lastWrite = Environment.TickCount64;
                }
            }
        }
        catch (ClientFellBehindException behind)
        {
            // Everything before the position was sent; the client resumes from it (EventSource does so by itself).
            position = inStep?.Copy() ?? position;
            var data = JsonSerializer.Serialize(new { resumeFrom = position.ToString(), reason = behind.Message });
            output.Append($"id: {position}\nevent: behind\ndata: {data}\n\n");
            await output.WriteAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The SSE event of a notification with <paramref name="position"/> as its id.</summary>
    internal static string EventText(NotificationPosition position, Notification notification) =>
        $"id: {position}\nevent: {notification.Kind}\ndata: {notification.Json}\n\n";

    private static void AppendGap(NotificationPosition position, Output output, string reason, string topic, int partition, long from, long to)
    {
        var data = JsonSerializer.Serialize(new { reason, topic, partition, fromOffset = from, toOffset = to, missed = to - from });
        output.Append(string.Create(CultureInfo.InvariantCulture, $"id: {position}\nevent: gap\ndata: {data}\n\n"));
    }

    /// <summary>What goes out in the client's next write.</summary>
    private sealed class Output(Func<ReadOnlyMemory<byte>, CancellationToken, ValueTask> write)
    {
        private readonly ArrayBufferWriter<byte> _buffer = new(1024);

        public int Length => _buffer.WrittenCount;

        public void Append(ReadOnlySpan<byte> utf8) => _buffer.Write(utf8);

        public void Append(string text)
        {
            var span = _buffer.GetSpan(Encoding.UTF8.GetMaxByteCount(text.Length));
            _buffer.Advance(Encoding.UTF8.GetBytes(text, span));
        }

        public async ValueTask WriteAsync(CancellationToken cancellationToken)
        {
            if (_buffer.WrittenCount > 0)
            {
                await write(_buffer.WrittenMemory, cancellationToken).ConfigureAwait(false);
                _buffer.ResetWrittenCount();
            }
        }
    }
}
