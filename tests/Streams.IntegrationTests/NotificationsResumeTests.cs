using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Streams.Consumers.Notifications;
using Streams.Contracts.Topics;
using static Streams.IntegrationTests.TestEvents;

namespace Streams.IntegrationTests;

/// <summary>
/// <c>/notifications</c> as a client that comes and goes sees it: ids on every event, what was missed replayed on
/// reconnect (in partition order, once), filters, a slow client told it fell behind instead of losing events (and a
/// client that only stalled for a moment not cut off), and a thousand clients served at once.
/// </summary>
[Collection(KafkaCollection.Name)]
public sealed class NotificationsResumeTests(WorkerFixture worker) : IClassFixture<WorkerFixture>
{
    private sealed record SseEvent(string? Id, string Type, string Data);

    /// <summary>A minimal SSE reader: the events of one connection, until cancelled or the server closes it.</summary>
    private static async IAsyncEnumerable<SseEvent> ReadEventsAsync(HttpClient http, string path, string? lastEventId, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (lastEventId is not null)
        {
            request.Headers.Add("Last-Event-ID", lastEventId);
        }

        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        response.EnsureSuccessStatusCode();
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cancellationToken));
        string? id = null, type = null, data = null;
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            if (line.Length == 0)
            {
                if (data is not null)
                {
                    yield return new SseEvent(id, type ?? "message", data);
                }

                (id, type, data) = (null, null, null);
            }
            else if (line.StartsWith("id: ", StringComparison.Ordinal))
            {
                id = line[4..];
            }
            else if (line.StartsWith("event: ", StringComparison.Ordinal))
            {
                type = line[7..];
            }
            else if (line.StartsWith("data: ", StringComparison.Ordinal))
            {
                data = line[6..];
            }
        }
    }

    /// <summary>The SSE events (and comments) in what was written, each with its fields.</summary>
    private static IEnumerable<string> EventsIn(IEnumerable<string> written) =>
        string.Concat(written).Split("\n\n", StringSplitOptions.RemoveEmptyEntries).Select(e => e + "\n\n");

    private static string CartOf(SseEvent e) => JsonDocument.Parse(e.Data).RootElement.GetProperty("cartId").GetString()!;

    private async Task PublishOrderAsync(string cart)
    {
        await worker.Publisher.PublishAsync(Added(cart, "book", 1, 5m));
        await worker.Publisher.PublishAsync(CheckedOut(cart));
    }

    [Fact]
    public async Task A_client_away_for_ten_seconds_gets_every_order_it_missed_once_in_partition_order()
    {
        using var http = new HttpClient { BaseAddress = worker.WorkerUrl, Timeout = Timeout.InfiniteTimeSpan };
        var prefix = "resume-" + Guid.NewGuid().ToString("N")[..6] + "-";
        var published = new List<string>();
        var received = new List<SseEvent>();
        using var overall = new CancellationTokenSource(TimeSpan.FromSeconds(120));

        // First connection: the first two orders arrive live.
        using (var first = CancellationTokenSource.CreateLinkedTokenSource(overall.Token))
        {
            var reading = Task.Run(async () =>
            {
                await foreach (var e in ReadEventsAsync(http, "/notifications?type=order&key=" + prefix + "*", null, first.Token))
                {
                    received.Add(e);
                    if (received.Count == 2)
                    {
                        return;
                    }
                }
            }, first.Token);
            await Task.Delay(500, overall.Token); // connected before the first order
            for (var i = 0; i < 2; i++)
            {
                published.Add(prefix + i);
                await PublishOrderAsync(prefix + i);
            }

            await reading.WaitAsync(TimeSpan.FromSeconds(60), overall.Token);
        }

        // Away for ten seconds while orders keep coming.
        var away = DateTime.UtcNow.AddSeconds(10);
        for (var i = 2; DateTime.UtcNow < away; i++)
        {
            published.Add(prefix + i);
            await PublishOrderAsync(prefix + i);
            await Task.Delay(400, overall.Token);
        }

        // Back with the last id it saw: everything missed, then live.
        var lastId = received[^1].Id;
        Assert.NotNull(lastId);
        await foreach (var e in ReadEventsAsync(http, "/notifications?type=order&key=" + prefix + "*", lastId, overall.Token))
        {
            Assert.NotEqual("gap", e.Type);
            received.Add(e);
            if (received.Select(CartOf).Distinct().Count() >= published.Count)
            {
                break;
            }
        }

        var carts = received.Select(CartOf).ToList();
        Assert.Equal(published.Order(StringComparer.Ordinal), carts.Order(StringComparer.Ordinal)); // every one, once
        // Partition order: along the whole session no partition's position ever goes back.
        var positions = received.Select(e => NotificationPosition.TryParse(e.Id)!).ToList();
        for (var i = 1; i < positions.Count; i++)
        {
            foreach (var (partition, next) in positions[i - 1].Next)
            {
                Assert.True(positions[i].NextOf(partition.Topic, partition.Partition) >= next, $"{partition} went back from {next} at event {i}");
            }
        }
    }

    [Fact]
    public async Task A_client_ahead_of_the_hub_and_a_client_in_step_with_it_get_the_same_exact_ids_once_they_meet()
    {
        // The hub formats each event once with its own position as the id; a client whose position is not the hub's
        // (here: one that resumed from a position the live stream has not reached) formats its own until they meet.
        // Either way every id must be exactly where that client stands, or a reconnect would skip or repeat.
        var log = worker.App.Services.GetRequiredService<NotificationLog>();
        var options = new NotificationOptions();
        using var hub = new NotificationHub(options);
        var stream = new NotificationStream(hub, log, options);
        var ends = await log.WatermarksAsync(CancellationToken.None);
        var high = ends[(TopicCatalog.Orders.Name, 0)].High.Value;
        var present = string.Join(',', ends.Select(e => $"{e.Key.Topic}:{e.Key.Partition}:{e.Value.High.Value}"));
        var ahead = string.Join(',', ends.Select(e => $"{e.Key.Topic}:{e.Key.Partition}:{e.Value.High.Value + (e.Key == (TopicCatalog.Orders.Name, 0) ? 5 : 0)}"));
        var inStep = new List<string>();
        var resumed = new List<string>();
        using var stop = new CancellationTokenSource();

        Task Serve(string lastEventId, List<string> written) => stream.RunAsync(lastEventId, NotificationFilter.All, (utf8, _) =>
        {
            lock (written)
            {
                written.AddRange(EventsIn([Encoding.UTF8.GetString(utf8.Span)]));
            }

            return ValueTask.CompletedTask;
        }, stop.Token);

        var serving = new[] { Serve(present, inStep), Serve(ahead, resumed) };
        await Eventually.TrueAsync(() => hub.ClientCount == 2 && inStep.Count > 0 && resumed.Count > 0, "both clients connected");
        await Task.Delay(500); // past AddPartitions: a hub that knows the partitions is the case of interest
        for (var n = 0; n < 10; n++)
        {
            hub.Publish(new Notification("order", "k", $"{{\"n\":{n}}}", TopicCatalog.Orders.Name, 0, high + n));
        }

        List<string> Events(List<string> written)
        {
            lock (written)
            {
                return written.Where(t => t.StartsWith("id: ", StringComparison.Ordinal)).ToList();
            }
        }

        await Eventually.TrueAsync(() => Events(inStep).Count == 10 && Events(resumed).Count == 5, "every event delivered");
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Task.WhenAll(serving));

        var expected = NotificationPosition.TryParse(present)!;
        foreach (var (events, first) in new[] { (Events(inStep), 0), (Events(resumed), 5) })
        {
            for (var i = 0; i < events.Count; i++)
            {
                expected.Set(TopicCatalog.Orders.Name, 0, high + first + i + 1);
                var id = NotificationPosition.TryParse(events[i].Split('\n')[0][4..])!;
                Assert.True(expected.SameAs(id), $"event {first + i}: id {id}, expected {expected}");
                Assert.Contains($"{{\"n\":{first + i}}}", events[i], StringComparison.Ordinal);
            }
        }

        // Once they met, both were sent the same bytes.
        Assert.Equal(Events(inStep).Skip(5), Events(resumed));
    }

    [Fact]
    public async Task A_filtered_stream_receives_only_the_events_it_asked_for()
    {
        using var http = new HttpClient { BaseAddress = worker.WorkerUrl, Timeout = Timeout.InfiniteTimeSpan };
        var wanted = NewCart();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var received = new List<SseEvent>();
        var reading = Task.Run(async () =>
        {
            await foreach (var e in ReadEventsAsync(http, $"/notifications?type=order&key={wanted}", null, timeout.Token))
            {
                received.Add(e);
                if (CartOf(e) == wanted)
                {
                    return;
                }
            }
        }, timeout.Token);
        await Task.Delay(500, timeout.Token);

        await PublishOrderAsync(NewCart());
        await PublishOrderAsync(NewCart());
        await PublishOrderAsync(wanted);
        await reading.WaitAsync(timeout.Token);

        var only = Assert.Single(received);
        Assert.Equal("order", only.Type);
        Assert.Equal(wanted, CartOf(only));
    }

    [Fact]
    public async Task A_slow_client_is_told_it_fell_behind_and_where_to_resume_after_everything_before()
    {
        using var hub = new NotificationHub(new NotificationOptions { ClientBuffer = 3 });
        var stream = new NotificationStream(hub, worker.App.Services.GetRequiredService<NotificationLog>(), new NotificationOptions { ClientBuffer = 3 });
        var ends = await worker.App.Services.GetRequiredService<NotificationLog>().WatermarksAsync(CancellationToken.None);
        var high = ends[(TopicCatalog.Orders.Name, 0)].High.Value;
        var (written, firstWrite, release, serving) = StartStallingClient(stream);
        await Eventually.TrueAsync(() => hub.ClientCount == 1 && written.Count > 0, "the client connected");

        // Ten notifications for a client that reads one and stalls with room for three more.
        hub.Publish(new Notification("order", "k", "{\"n\":0}", TopicCatalog.Orders.Name, 0, high));
        await firstWrite.Task.WaitAsync(TimeSpan.FromSeconds(10));
        for (var n = 1; n < 10; n++)
        {
            hub.Publish(new Notification("order", "k", $"{{\"n\":{n}}}", TopicCatalog.Orders.Name, 0, high + n));
        }

        release.SetResult();
        await serving.WaitAsync(TimeSpan.FromSeconds(10)); // the stream ends after saying so

        // Writes are batches: what was queued when the client woke goes out at once.
        var events = EventsIn(written).Where(t => t.StartsWith("id: ", StringComparison.Ordinal)).ToList();
        Assert.Equal(5, events.Count); // the one in hand, the three buffered, then "behind"
        Assert.Contains("event: behind", events[^1], StringComparison.Ordinal);
        var resumeFrom = NotificationPosition.TryParse(events[^1].Split('\n')[0][4..])!;
        Assert.Equal(high + 4, resumeFrom.NextOf(TopicCatalog.Orders.Name, 0)); // after the last one it was sent
        Assert.Contains($"\"resumeFrom\":\"{resumeFrom}\"", events[^1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_client_that_stalls_while_thousands_of_notifications_are_published_gets_every_one_of_them()
    {
        // A short stall is not slowness: with the defaults, a client that stops reading while 3,000 notifications go
        // by (three times what a 1,000-event buffer held) is sent all of them once it reads again, and is not cut off.
        var log = worker.App.Services.GetRequiredService<NotificationLog>();
        var options = new NotificationOptions();
        using var hub = new NotificationHub(options);
        var stream = new NotificationStream(hub, log, options);
        var high = (await log.WatermarksAsync(CancellationToken.None))[(TopicCatalog.Orders.Name, 0)].High.Value;
        var written = new List<string>();
        var firstWrite = new TaskCompletionSource();
        var release = new TaskCompletionSource();
        using var stop = new CancellationTokenSource();

        var serving = stream.RunAsync(null, NotificationFilter.All, async (utf8, _) =>
        {
            var text = Encoding.UTF8.GetString(utf8.Span);
            lock (written)
            {
                written.AddRange(EventsIn([text]));
            }

            if (text.StartsWith("id: ", StringComparison.Ordinal) && firstWrite.TrySetResult())
            {
                await release.Task; // the client stops reading
            }
        }, stop.Token);
        await Eventually.TrueAsync(() => hub.ClientCount == 1 && written.Count > 0, "the client connected");

        hub.Publish(new Notification("order", "k", "{\"n\":0}", TopicCatalog.Orders.Name, 0, high));
        await firstWrite.Task.WaitAsync(TimeSpan.FromSeconds(10));
        for (var n = 1; n < 3000; n++)
        {
            hub.Publish(new Notification("order", "k", $"{{\"n\":{n}}}", TopicCatalog.Orders.Name, 0, high + n));
        }

        release.SetResult();
        List<string> Events()
        {
            lock (written)
            {
                return written.Where(t => t.StartsWith("id: ", StringComparison.Ordinal)).ToList();
            }
        }

        await Eventually.TrueAsync(() => Events().Count >= 3000, () => $"{Events().Count} of 3000 events delivered");
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => serving);

        var events = Events();
        Assert.Equal(3000, events.Count);
        Assert.DoesNotContain(events, e => e.Contains("event: behind", StringComparison.Ordinal));
        for (var n = 0; n < events.Count; n++)
        {
            Assert.Contains($"{{\"n\":{n}}}", events[n], StringComparison.Ordinal);
            Assert.Equal(high + n + 1, NotificationPosition.TryParse(events[n].Split('\n')[0][4..])!.NextOf(TopicCatalog.Orders.Name, 0));
        }
    }

    [Fact]
    public async Task A_client_whose_notifications_waited_longer_than_the_client_lag_is_told_it_fell_behind()
    {
        var log = worker.App.Services.GetRequiredService<NotificationLog>();
        var options = new NotificationOptions { ClientLag = TimeSpan.FromMilliseconds(200) };
        using var hub = new NotificationHub(options);
        var stream = new NotificationStream(hub, log, options);
        var high = (await log.WatermarksAsync(CancellationToken.None))[(TopicCatalog.Orders.Name, 0)].High.Value;
        var (written, firstWrite, release, serving) = StartStallingClient(stream);
        await Eventually.TrueAsync(() => hub.ClientCount == 1 && written.Count > 0, "the client connected");

        hub.Publish(new Notification("order", "k", "{\"n\":0}", TopicCatalog.Orders.Name, 0, high));
        await firstWrite.Task.WaitAsync(TimeSpan.FromSeconds(10));
        for (var n = 1; n < 5; n++)
        {
            hub.Publish(new Notification("order", "k", $"{{\"n\":{n}}}", TopicCatalog.Orders.Name, 0, high + n));
        }

        await Task.Delay(options.ClientLag * 3); // the four wait longer than the client lag: few, but too old
        release.SetResult();
        await serving.WaitAsync(TimeSpan.FromSeconds(10)); // the stream ends after saying so

        var events = EventsIn(written).Where(t => t.StartsWith("id: ", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, events.Count); // the one in hand, then "behind"
        Assert.Contains("event: behind", events[^1], StringComparison.Ordinal);
        Assert.Contains("longer than 0.2 s", events[^1], StringComparison.Ordinal);
        var resumeFrom = NotificationPosition.TryParse(events[^1].Split('\n')[0][4..])!;
        Assert.Equal(high + 1, resumeFrom.NextOf(TopicCatalog.Orders.Name, 0)); // after the one it was sent
    }

    [Fact]
    public async Task A_thousand_clients_each_get_every_notification_once_and_in_order()
    {
        var log = worker.App.Services.GetRequiredService<NotificationLog>();
        var options = new NotificationOptions();
        using var hub = new NotificationHub(options);
        var stream = new NotificationStream(hub, log, options);
        var high = (await log.WatermarksAsync(CancellationToken.None))[(TopicCatalog.Orders.Name, 0)].High.Value;
        const int Clients = 1000, Notifications = 2000;
        var received = new int[Clients];
        var outOfOrder = 0;
        using var stop = new CancellationTokenSource();

        Task Serve(int client) => stream.RunAsync(null, NotificationFilter.All, (utf8, _) =>
        {
            // Each event carries its number; a client must see 0, 1, 2, ... with nothing missing or repeated.
            foreach (var e in EventsIn([Encoding.UTF8.GetString(utf8.Span)]).Where(t => t.StartsWith("id: ", StringComparison.Ordinal)))
            {
                var at = e.IndexOf("{\"n\":", StringComparison.Ordinal) + 5;
                var n = int.Parse(e.AsSpan(at, e.IndexOf('}', at) - at), System.Globalization.CultureInfo.InvariantCulture);
                if (n != received[client])
                {
                    Interlocked.Increment(ref outOfOrder);
                }

                received[client] = n + 1;
            }

            return ValueTask.CompletedTask;
        }, stop.Token);

        var serving = Enumerable.Range(0, Clients).Select(Serve).ToList();
        await Eventually.TrueAsync(() => hub.ClientCount == Clients, () => $"{hub.ClientCount} of {Clients} clients connected");
        await Task.Delay(500); // past every client's start (watermarks read, partitions added)
        for (var n = 0; n < Notifications; n++)
        {
            hub.Publish(new Notification("order", "k", $"{{\"n\":{n}}}", TopicCatalog.Orders.Name, 0, high + n));
        }

        await Eventually.TrueAsync(() => received.All(r => r == Notifications), () => $"{received.Count(r => r == Notifications)} of {Clients} clients got all {Notifications}", TimeSpan.FromSeconds(60));
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Task.WhenAll(serving));
        Assert.Equal(0, outOfOrder);
    }

    [Fact]
    public async Task A_client_that_missed_more_than_the_replay_bound_is_told_of_the_gap_and_resumes_at_the_present()
    {
        await PublishOrderAsync(NewCart());
        var log = worker.App.Services.GetRequiredService<NotificationLog>();
        await Eventually.TrueAsync(() => log.WatermarksAsync(CancellationToken.None).Result.Values.Sum(w => w.High.Value) > 0, "an order in the log");
        using var hub = new NotificationHub();
        var stream = new NotificationStream(hub, log, new NotificationOptions { MaxReplay = 0 });
        var written = new List<string>();
        using var stop = new CancellationTokenSource();

        var fromTheStart = string.Join(',', Enumerable.Range(0, TopicCatalog.Orders.Partitions).Select(p => $"{TopicCatalog.Orders.Name}:{p}:0"));
        var serving = stream.RunAsync(fromTheStart, NotificationFilter.All, (utf8, _) =>
        {
            var text = Encoding.UTF8.GetString(utf8.Span);
            written.AddRange(EventsIn([text]));
            if (text.Contains("event: gap", StringComparison.Ordinal))
            {
                stop.Cancel();
            }

            return ValueTask.CompletedTask;
        }, stop.Token);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => serving.WaitAsync(TimeSpan.FromSeconds(30)));

        var gaps = written.Where(t => t.Contains("event: gap", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(gaps);
        Assert.All(gaps, gap => Assert.Contains("\"reason\":\"max-replay\"", gap, StringComparison.Ordinal));
        Assert.DoesNotContain(written, t => t.Contains("event: order", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Every_event_has_an_id_and_the_stream_asks_for_a_retry_delay()
    {
        using var http = new HttpClient { BaseAddress = worker.WorkerUrl, Timeout = Timeout.InfiniteTimeSpan };
        using var response = await http.GetAsync("/notifications", HttpCompletionOption.ResponseHeadersRead);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        Assert.StartsWith("retry: ", await reader.ReadLineAsync(), StringComparison.Ordinal);
        Assert.Equal(": connected", await reader.ReadLineAsync());
        var cart = NewCart();
        await PublishOrderAsync(cart);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        string? id = null;
        while (await reader.ReadLineAsync(timeout.Token) is { } line)
        {
            if (line.StartsWith("id: ", StringComparison.Ordinal))
            {
                id = line[4..];
            }
            else if (line.StartsWith("data: ", StringComparison.Ordinal) && line.Contains(cart, StringComparison.Ordinal))
            {
                break;
            }
        }

        Assert.NotNull(NotificationPosition.TryParse(id));
        Assert.Contains(TopicCatalog.Orders.Name + ":", id, StringComparison.Ordinal);
    }

    /// <summary>
    /// A client of <paramref name="stream"/> that records what it is sent and stops reading after its first
    /// notification until <c>Release</c> completes.
    /// </summary>
    private static (List<string> Written, TaskCompletionSource FirstWrite, TaskCompletionSource Release, Task Serving) StartStallingClient(NotificationStream stream)
    {
        var written = new List<string>();
        var firstWrite = new TaskCompletionSource();
        var release = new TaskCompletionSource();
        var serving = stream.RunAsync(null, NotificationFilter.All, async (utf8, _) =>
        {
            var text = Encoding.UTF8.GetString(utf8.Span);
            written.Add(text);
            if (text.StartsWith("id: ", StringComparison.Ordinal) && firstWrite.TrySetResult())
            {
                await release.Task; // the client stops reading
            }
        }, CancellationToken.None);
        return (written, firstWrite, release, serving);
    }
}
