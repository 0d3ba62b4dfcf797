using System.Collections.Concurrent;
using System.Threading.Channels;

namespace Streams.Consumers.Notifications;

/// <summary>
/// Fans notifications out to every connected client. Each client has a bounded queue
/// (<see cref="NotificationOptions.ClientBuffer"/>); a client too slow to keep up is never silently dropped from:
/// its queue is closed with <see cref="ClientFellBehindException"/> after what it holds, so its stream can say where
/// to resume, and the consumer group is never slowed down by it.
/// </summary>
public sealed class NotificationHub(NotificationOptions? options = null)
{
    private readonly ConcurrentDictionary<Guid, Channel<Notification>> _clients = new();
    private readonly int _buffer = Math.Max(1, (options ?? new NotificationOptions()).ClientBuffer);

    /// <summary>Clients subscribed right now.</summary>
    public int ClientCount => _clients.Count;

    /// <summary>Queues the notification for every subscribed client, without waiting for any of them.</summary>
    public void Publish(Notification notification)
    {
        foreach (var client in _clients.Values)
        {
            if (!client.Writer.TryWrite(notification))
            {
                client.Writer.TryComplete(new ClientFellBehindException());
            }
        }
    }

    /// <summary>
    /// Starts queueing every notification published from now on for a new client; dispose the subscription to stop.
    /// </summary>
    public Subscription Subscribe()
    {
        var id = Guid.NewGuid();
        var channel = Channel.CreateBounded<Notification>(new BoundedChannelOptions(_buffer) { FullMode = BoundedChannelFullMode.Wait, SingleReader = true });
        _clients[id] = channel;
        return new Subscription(channel.Reader, () => _clients.TryRemove(id, out _));
    }

    /// <summary>
    /// The notifications published since <see cref="Subscribe"/>, until disposed. Reading past the last one a slow
    /// client had room for throws <see cref="ClientFellBehindException"/>.
    /// </summary>
    public sealed class Subscription(ChannelReader<Notification> reader, Action unsubscribe) : IDisposable
    {
        public ChannelReader<Notification> Reader { get; } = reader;

        public void Dispose() => unsubscribe();
    }
}

/// <summary>A client's queue filled up: it was told everything before this point, and must resume from there.</summary>
public sealed class ClientFellBehindException : Exception
{
    public ClientFellBehindException()
        : base("The client's notification buffer is full.")
    {
    }

    public ClientFellBehindException(string message)
        : base(message)
    {
    }

    public ClientFellBehindException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
