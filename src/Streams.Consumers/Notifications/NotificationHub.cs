using System.Threading.Channels;

namespace Streams.Consumers.Notifications;

/// <summary>
/// Fans notifications out to every connected client. Each client has a bounded queue
/// (<see cref="NotificationOptions.ClientBuffer"/>); a client too slow to keep up is never silently dropped from:
/// its queue is closed with <see cref="ClientFellBehindException"/> after what it holds, so its stream can say where
/// to resume, and the consumer group is never slowed down by it.
/// </summary>
/// <remarks>
/// Each notification is formatted once here (<see cref="NotificationFrame"/>), with the hub's position after it as its
/// id, for all the clients in step with the hub. A timer pulses every client's queue twice per
/// <see cref="NotificationOptions.KeepAlive"/> so idle streams send keep-alives without a timer of their own.
/// </remarks>
public sealed class NotificationHub : IDisposable
{
    private readonly Lock _lock = new();
    private readonly int _buffer;
    private readonly TimeSpan _pulse;
    private Timer? _keepAlive;
    private Client[] _clients = [];
    private NotificationPosition _position = new();

    public NotificationHub(NotificationOptions? options = null)
    {
        options ??= new NotificationOptions();
        _buffer = Math.Max(1, options.ClientBuffer);
        _pulse = options.KeepAlive / 2;
    }

    /// <summary>Clients subscribed right now.</summary>
    public int ClientCount => Volatile.Read(ref _clients).Length;

    /// <summary>Queues the notification for every subscribed client, without waiting for any of them.</summary>
    public void Publish(Notification notification)
    {
        ArgumentNullException.ThrowIfNull(notification);
        lock (_lock)
        {
            var before = _position;
            var after = before;
            if (!before.IsBefore(notification.Topic, notification.Partition, notification.Offset))
            {
                // Positions handed out are never changed: clients compare them and write their frames as they are.
                after = before.Copy();
                after.Advance(notification.Topic, notification.Partition, notification.Offset);
                _position = after;
            }

            var frame = new NotificationFrame(notification, before, after);
            foreach (var client in _clients)
            {
                if (Interlocked.Increment(ref client.Queued) > _buffer || !client.Channel.Writer.TryWrite(frame))
                {
                    client.Channel.Writer.TryComplete(new ClientFellBehindException());
                }
            }
        }
    }

    /// <summary>
    /// Adds to the hub's position the partitions it has not published from yet, at <paramref name="next"/> (a
    /// client's starting point): without them its frames' ids would not name every partition, and no client could
    /// use them. Partitions the hub knows keep their position.
    /// </summary>
    public void AddPartitions(IEnumerable<KeyValuePair<(string Topic, int Partition), long>> next)
    {
        ArgumentNullException.ThrowIfNull(next);
        lock (_lock)
        {
            NotificationPosition? grown = null;
            foreach (var ((topic, partition), offset) in next)
            {
                if (_position.NextOf(topic, partition) is null)
                {
                    grown ??= _position.Copy();
                    grown.Set(topic, partition, offset);
                }
            }

            if (grown is not null)
            {
                _position = grown;
            }
        }
    }

    /// <summary>
    /// Starts queueing every notification published from now on for a new client; dispose the subscription to stop.
    /// </summary>
    public Subscription Subscribe()
    {
        var client = new Client();
        lock (_lock)
        {
            _clients = [.. _clients, client];
            // Pulses run while someone listens: a hub nobody subscribes to (the CLI's replay) holds no timer.
            _keepAlive ??= new Timer(static hub => ((NotificationHub)hub!).Pulse(), this, _pulse, _pulse);
        }

        return new Subscription(client, () =>
        {
            lock (_lock)
            {
                _clients = [.. _clients.Where(c => c != client)];
                if (_clients.Length == 0)
                {
                    _keepAlive?.Dispose();
                    _keepAlive = null;
                }
            }
        });
    }

    private void Pulse()
    {
        foreach (var client in Volatile.Read(ref _clients))
        {
            // Pulses do not count against the client's buffer: they wake an idle stream, nothing more.
            client.Channel.Writer.TryWrite(NotificationFrame.KeepAlive);
        }
    }

    /// <summary>Stops the keep-alive pulses.</summary>
    public void Dispose()
    {
        lock (_lock)
        {
            _keepAlive?.Dispose();
            _keepAlive = null;
        }
    }

    /// <summary>
    /// One client's queue. Unbounded as a channel (pulses must always get in); <see cref="Queued"/> counts the
    /// notifications in it against the buffer, so the publisher never waits for a lock it shares with the reader's.
    /// </summary>
    internal sealed class Client
    {
        public readonly Channel<NotificationFrame> Channel = System.Threading.Channels.Channel.CreateUnbounded<NotificationFrame>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = false });
        public int Queued;
    }

    /// <summary>
    /// The notifications published since <see cref="Subscribe"/>, until disposed. Reading past the last one a slow
    /// client had room for throws <see cref="ClientFellBehindException"/>; the reader says how many it has taken
    /// (<see cref="Taken"/>), which makes room for as many.
    /// </summary>
    public sealed class Subscription : IDisposable
    {
        private readonly Client _client;
        private readonly Action _unsubscribe;

        internal Subscription(Client client, Action unsubscribe)
        {
            _client = client;
            _unsubscribe = unsubscribe;
        }

        /// <summary>The frames queued for the client: notifications and keep-alive pulses.</summary>
        public ChannelReader<NotificationFrame> Reader => _client.Channel.Reader;

        /// <summary>Frees <paramref name="notifications"/> places in the client's buffer (pulses take none).</summary>
        public void Taken(int notifications) => Interlocked.Add(ref _client.Queued, -notifications);

        public void Dispose() => _unsubscribe();
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
