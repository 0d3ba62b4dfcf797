namespace Streams.Consumers.Notifications;

/// <summary>How <c>/notifications</c> serves its clients.</summary>
public sealed class NotificationOptions
{
    /// <summary>
    /// Most notifications that may wait for one client. A client that falls further behind is not slowed down by
    /// dropping: it gets this many more, then a <c>behind</c> event naming where to resume, and its stream is closed.
    /// The notifications are kept once for all clients (the hub keeps up to twice this many), so a large buffer costs
    /// memory once, not per client.
    /// </summary>
    public int ClientBuffer { get; set; } = 50_000;

    /// <summary>
    /// How long a notification may wait for a client: one that has not been sent a notification this old is told
    /// <c>behind</c> (as for <see cref="ClientBuffer"/>). Long enough that a short stall (of the client, the network,
    /// or the worker itself) does not cut a client off; a client slower than the events keeps falling behind and
    /// reaches it.
    /// </summary>
    public TimeSpan ClientLag { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// Shortest time between two wake-ups of the clients: what is published meanwhile goes to each client in one write.
    /// At 1,000 clients and 1,000 events a second, a write per event would be a million socket sends a second.
    /// </summary>
    public TimeSpan WriteInterval { get; set; } = TimeSpan.FromMilliseconds(20);

    /// <summary>
    /// Most records a reconnecting client gets replayed from the log. A client that missed more gets a <c>gap</c>
    /// event saying how many and resumes at the present.
    /// </summary>
    public int MaxReplay { get; set; } = 10_000;

    /// <summary>How often an idle stream sends a comment line, so proxies and clients see it is alive.</summary>
    public TimeSpan KeepAlive { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// Web origins whose pages may open the stream with <c>EventSource</c> from another origin (CORS
    /// <c>Access-Control-Allow-Origin</c>); <c>*</c> allows any. Empty (the default): same origin only.
    /// </summary>
    public IList<string> AllowedOrigins { get; set; } = [];

    /// <summary>The reconnection delay the stream asks clients for (SSE <c>retry:</c>).</summary>
    public TimeSpan Retry { get; set; } = TimeSpan.FromSeconds(2);
}
