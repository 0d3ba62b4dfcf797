using System.Diagnostics.CodeAnalysis;

namespace Streams.Consumers.Notifications;

/// <summary>
/// Fans notifications out to every connected client. Published notifications go into one window shared by all clients
/// (<see cref="NotificationFrame"/>s in publish order); each client only remembers how far it has read. A client too
/// slow to keep up is never silently dropped from: once it is more than <see cref="NotificationOptions.ClientBuffer"/>
/// notifications or <see cref="NotificationOptions.ClientLag"/> behind, reading throws
/// <see cref="ClientFellBehindException"/> so its stream can say where to resume, and the consumer group is never
/// slowed down by it.
/// </summary>
/// <remarks>
/// Publishing costs the same for one client or a thousand: the frame is formatted once (with the hub's position after
/// it as its id) and stored once; nothing is queued per client. Waiting clients are woken together, at most once per
/// <see cref="NotificationOptions.WriteInterval"/>, so a client sends what was published meanwhile in one write rather
/// than one socket send per event. A timer wakes every client twice per <see cref="NotificationOptions.KeepAlive"/>
/// so idle streams send keep-alives without a timer of their own; the same timer lets go of frames too old for any
/// client to be sent.
/// </remarks>
public sealed class NotificationHub : IDisposable
{
    /// <summary>Most frames the window holds (a reference each: 128 MiB of references at most).</summary>
    private const int MaxWindow = 1 << 24;

    private readonly Lock _lock = new();
    private readonly int _buffer;
    private readonly long _lagMs;
    private readonly string _fullReason;
    private readonly string _lagReason;
    private readonly long _intervalMs;
    private readonly TimeSpan _pulse;

    // The window: frame number n sits at n & _mask until frame n + _frames.Length replaces it, or it is too old.
    private readonly NotificationFrame?[] _frames;
    private readonly long _mask;
    private long _published;
    private long _oldest;

    private Timer? _keepAlive;
    private readonly Timer _wakeLater;
    private bool _wakeDue;
    private long _lastWake;
    private TaskCompletionSource _wake = NewWake();
    private int _clients;
    private NotificationPosition _position = new();

    public NotificationHub(NotificationOptions? options = null)
    {
        options ??= new NotificationOptions();
        _buffer = Math.Max(1, options.ClientBuffer);
        _lagMs = Math.Max(1, (long)options.ClientLag.TotalMilliseconds);
        _intervalMs = Math.Max(0, (long)options.WriteInterval.TotalMilliseconds);
        _pulse = options.KeepAlive / 2;
        _fullReason = FormattableString.Invariant($"more than {_buffer} notifications waited for this client");
        _lagReason = FormattableString.Invariant($"notifications waited for this client longer than {options.ClientLag.TotalSeconds:0.###} s");
        // Twice the buffer: a client marked behind still gets the buffer's worth it was promised while others go on.
        _frames = new NotificationFrame?[(int)Math.Clamp(System.Numerics.BitOperations.RoundUpToPowerOf2((ulong)_buffer * 2), 64, MaxWindow)];
        _mask = _frames.Length - 1;
        _wakeLater = new Timer(static hub => ((NotificationHub)hub!).WakeDue(), this, Timeout.Infinite, Timeout.Infinite);
    }

    /// <summary>Clients subscribed right now.</summary>
    public int ClientCount => Volatile.Read(ref _clients);

    /// <summary>Makes the notification available to every subscribed client, without waiting for any of them.</summary>
    public void Publish(Notification notification)
    {
        ArgumentNullException.ThrowIfNull(notification);
        TaskCompletionSource? wake;
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

            if (_clients == 0)
            {
                // Nobody to send it to, and a client subscribing later starts after it: only the position matters.
                return;
            }

            var number = _published;
            _frames[number & _mask] = new NotificationFrame(notification, before, after, number, Environment.TickCount64);
            Volatile.Write(ref _published, number + 1);
            _oldest = Math.Max(_oldest, number + 1 - _frames.Length);
            wake = WakeSoon();
        }

        wake?.TrySetResult();
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
    /// Starts a client at the present: it reads every notification published from now on; dispose the subscription
    /// to stop.
    /// </summary>
    public Subscription Subscribe()
    {
        lock (_lock)
        {
            _clients++;
            // Pulses run while someone listens: a hub nobody subscribes to (the CLI's replay) holds no timer.
            _keepAlive ??= new Timer(static hub => ((NotificationHub)hub!).Pulse(), this, _pulse, _pulse);
            return new Subscription(this, _published);
        }
    }

    private void Unsubscribe()
    {
        lock (_lock)
        {
            if (--_clients == 0)
            {
                _keepAlive?.Dispose();
                _keepAlive = null;
                // Nobody reads them any more.
                Array.Clear(_frames);
                _oldest = _published;
            }
        }
    }

    /// <summary>
    /// The wake to complete now (outside the lock), or null when one is already due or is scheduled for later:
    /// clients are woken at most once per write interval, so a burst reaches each of them as one write.
    /// </summary>
    private TaskCompletionSource? WakeSoon()
    {
        if (_wakeDue)
        {
            return null;
        }

        var wait = _lastWake + _intervalMs - Environment.TickCount64;
        if (wait <= 0)
        {
            return TakeWake();
        }

        _wakeDue = true;
        _wakeLater.Change(wait, Timeout.Infinite);
        return null;
    }

    private void WakeDue()
    {
        TaskCompletionSource wake;
        lock (_lock)
        {
            _wakeDue = false;
            wake = TakeWake();
        }

        wake.TrySetResult();
    }

    /// <summary>Replaces the wake clients wait on and returns the old one, for the caller to complete.</summary>
    private TaskCompletionSource TakeWake()
    {
        _lastWake = Environment.TickCount64;
        var wake = _wake;
        Volatile.Write(ref _wake, NewWake());
        return wake;
    }

    // Asynchronous continuations: completing the wake must not run a thousand clients' writes on the publisher's thread.
    private static TaskCompletionSource NewWake() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private void Pulse()
    {
        TaskCompletionSource wake;
        lock (_lock)
        {
            // Frames older than any client may be sent are let go (a client that needs one has fallen behind).
            var tooOld = Environment.TickCount64 - _lagMs;
            while (_oldest < _published && _frames[_oldest & _mask] is { } frame && frame.PublishedAt < tooOld)
            {
                _frames[_oldest & _mask] = null;
                _oldest++;
            }

            wake = TakeWake();
        }

        wake.TrySetResult();
    }

    /// <summary>Stops the keep-alive pulses.</summary>
    public void Dispose()
    {
        lock (_lock)
        {
            _keepAlive?.Dispose();
            _keepAlive = null;
        }

        _wakeLater.Dispose();
    }

    /// <summary>
    /// One client's place in the hub's window: the number of the next frame it reads. Used by one reader at a time.
    /// </summary>
    public sealed class Subscription : IDisposable
    {
        private readonly NotificationHub _hub;
        private long _next;
        private long _limit = long.MaxValue;
        private int _disposed;

        internal Subscription(NotificationHub hub, long next)
        {
            _hub = hub;
            _next = next;
        }

        /// <summary>
        /// Completes when a frame may be there to read, or a keep-alive pulse came (then <see cref="TryRead"/> finds
        /// nothing): at once when the client has not read everything published.
        /// </summary>
        public ValueTask WaitAsync(CancellationToken cancellationToken)
        {
            // The wake is taken before looking at what was published: a frame published after the look comes with a
            // later completion of this wake or of an earlier one.
            var wake = Volatile.Read(ref _hub._wake);
            return _next != Volatile.Read(ref _hub._published) ? ValueTask.CompletedTask : new ValueTask(wake.Task.WaitAsync(cancellationToken));
        }

        /// <summary>
        /// The next frame, or false when the client has read everything published. Throws
        /// <see cref="ClientFellBehindException"/> when the client fell too far behind: it was sent everything before
        /// the frame it asked for, and must resume from there.
        /// </summary>
        public bool TryRead([NotNullWhen(true)] out NotificationFrame? frame)
        {
            frame = null;
            if (_next >= _limit)
            {
                throw new ClientFellBehindException(_hub._fullReason);
            }

            var published = Volatile.Read(ref _hub._published);
            if (_next == published)
            {
                return false;
            }

            if (_limit == long.MaxValue && published - _next > _hub._buffer)
            {
                // Full: it still gets the buffer's worth (the window holds twice that), then is told.
                _limit = _next + _hub._buffer;
            }

            frame = Volatile.Read(ref _hub._frames[_next & _hub._mask]);
            if (frame is null || frame.Number != _next)
            {
                // Replaced by a newer frame, or let go as older than any client may be sent.
                throw new ClientFellBehindException(_limit == long.MaxValue ? _hub._lagReason : _hub._fullReason);
            }

            if (_limit == long.MaxValue && Environment.TickCount64 - frame.PublishedAt > _hub._lagMs)
            {
                throw new ClientFellBehindException(_hub._lagReason);
            }

            _next++;
            return true;
        }

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                _hub.Unsubscribe();
            }
        }
    }
}

/// <summary>A client fell too far behind: it was told everything before this point, and must resume from there.</summary>
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
