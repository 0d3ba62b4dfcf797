namespace Streams.Consumers.Notifications;

/// <summary>How <c>/notifications</c> serves its clients.</summary>
public sealed class NotificationOptions
{
    /// <summary>
    /// Notifications queued per client. A client whose queue is full is not slowed down by dropping: it gets a
    /// <c>behind</c> event naming where to resume, and its stream is closed.
    /// </summary>
    public int ClientBuffer { get; set; } = 1000;

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
