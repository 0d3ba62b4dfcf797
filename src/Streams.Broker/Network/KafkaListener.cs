using System.Globalization;
using System.Net;
using System.Runtime.InteropServices;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Streams.Broker.Configs;
using Streams.Broker.Security;
using Streams.Broker.Security.Authentication.Tls;

namespace Streams.Broker.Network;

/// <summary>
/// The broker's Kafka listeners (Kafka's <c>listeners</c>: PLAINTEXT, SSL, SASL_PLAINTEXT, SASL_SSL), served by Kestrel as a connection handler: Kestrel owns the sockets (accept loop,
/// backlog, graceful drain on stop, refusing a port already in use, connection metrics, and the TLS and
/// connection-limit middleware the access-control work plugs in per listener); the Kafka framing on the
/// connection's pipes stays ours (<see cref="KafkaConnection"/>). It runs on a Kestrel server of its own rather
/// than on a host's web server because the broker must accept connections before anything in the same host starts
/// (the registry reads <c>_schemas</c> from it, the worker provisions topics), and a web host starts its server
/// after every other hosted service. The server is built directly (no web host of its own), which keeps the broker's
/// start-up as cheap as it was on a plain socket loop.
/// </summary>
internal sealed partial class KafkaListener : IAsyncDisposable
{
    /// <summary>
    /// What Kestrel buffers per connection ahead of the request loop. Requests are copied out of the pipe as they
    /// arrive (into a buffer admitted by <c>queued.max.request.bytes</c>), so this only bounds read-ahead: pipelined
    /// requests and the bytes of a request still waiting for admission.
    /// </summary>
    private const long ReadAheadBytes = 256 * 1024;

    /// <summary>How long connections get to finish the request in hand when the broker stops.</summary>
    private static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(10);

    private readonly KestrelServer _server;
    private readonly ConnectionCount _connections;

    private KafkaListener(KestrelServer server, IReadOnlyList<ListenerEndpoint> endpoints, ConnectionCount connections)
    {
        _server = server;
        Endpoints = endpoints;
        _connections = connections;
    }

    /// <summary>The listeners, in the order configured, each with the address actually bound.</summary>
    public IReadOnlyList<ListenerEndpoint> Endpoints { get; }

    /// <summary>Connections open on all listeners (counted from accept to close, whatever their outcome).</summary>
    public int OpenConnections => _connections.Value;

    /// <param name="listeners">The listeners to bind (one Kestrel server serves them all).</param>
    /// <param name="config">The broker's settings (limits).</param>
    /// <param name="loggerFactory">Logging for the listener and its connections.</param>
    /// <param name="broker">
    /// The broker's state, once recovered: the listener binds while the logs are still being opened (the two take
    /// about as long, and a machine has more than one core), and each connection waits for it before its first request.
    /// </param>
    /// <param name="cancellationToken">Cancels binding.</param>
    public static async Task<KafkaListener> StartAsync(IReadOnlyList<ListenerConfig> listeners, BrokerConfig config, ILoggerFactory loggerFactory, Task<BrokerContext> broker, CancellationToken cancellationToken = default)
    {
        var logger = loggerFactory.CreateLogger<KafkaListener>();
        var audit = loggerFactory.CreateLogger(SecurityAudit.Category);
        var kestrel = new KestrelServerOptions { AddServerHeader = false };
        kestrel.Limits.MaxRequestBufferSize = ReadAheadBytes;

        // max.connections is a dynamic broker config, so it is checked per accepted connection by the middleware below
        // (broker-wide and per listener). Kestrel's own limit only keeps the process within its file-handle limit,
        // since running out of handles ends a .NET process.
        var maxConnections = config.ForListener("").MaxConnections;
        if (FileHandleLimit.ConnectionCapacity() is { } capacity)
        {
            if (capacity < maxConnections)
            {
                LogConnectionsCapped(logger, maxConnections, capacity);
            }

            kestrel.Limits.MaxConcurrentConnections = capacity;
        }

        var connections = new ConnectionCount(() => config.ForListener("").MaxConnections, logger);
        var endpoints = new List<(ListenerEndpoint Endpoint, ListenOptions Options)>();
        foreach (var listener in listeners)
        {
            var limits = config.ForListener(listener.Name);
            var endpoint = new ListenerEndpoint(listener, limits);
            kestrel.Listen(new IPEndPoint(listener.Address, listener.Port), options =>
            {
                endpoints.Add((endpoint, options));
                options.Use(next => connection => connections.RunAsync(connection, next));
                var perListener = new ListenerConnections(() => config.ForListener(listener.Name).MaxConnections, listener.Name, logger);
                options.Use(next => connection => perListener.RunAsync(connection, next));
                var perIp = new PerIpConnections(() => config.ForListener(listener.Name), logger);
                options.Use(next => connection => perIp.RunAsync(connection, next));
                if (listener.Tls is { } tls)
                {
                    var middleware = new TlsConnectionMiddleware(tls, listener.Name, audit);
                    options.Use(next => connection => middleware.RunAsync(connection, next));
                }

                options.Run(async connection => await new KafkaConnection(connection, await broker.ConfigureAwait(false), endpoint, audit).RunAsync().ConfigureAwait(false));
            });
        }

        // Kestrel's socket transport, but with an accept loop that backs off when out of file handles.
        var server = new KestrelServer(Options.Create(kestrel), new BackoffSocketListenerFactory(loggerFactory), loggerFactory);
        try
        {
            await server.StartAsync(new NoHttpApplication(), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or AddressInUseException)
        {
            server.Dispose();
            var wanted = string.Join(", ", listeners.Select(l => $"{l.Host}:{l.Port.ToString(CultureInfo.InvariantCulture)} ({l.Name})"));
            throw new IOException($"The Kafka listener cannot bind {wanted}: {ex.Message} (is another broker running on this port?)", ex);
        }

        foreach (var (endpoint, options) in endpoints)
        {
            endpoint.Bound = options.IPEndPoint!;
        }

        return new KafkaListener(server, [.. endpoints.Select(e => e.Endpoint)], connections);
    }

    /// <summary>Stops accepting, lets each connection finish the request in hand, then closes the rest.</summary>
    public async ValueTask DisposeAsync()
    {
        using var drain = new CancellationTokenSource(DrainTimeout);
        await _server.StopAsync(drain.Token).ConfigureAwait(false);
        _server.Dispose();
    }

    /// <summary>Kestrel serves HTTP through an application; this listener speaks only Kafka, so none is ever called.</summary>
    private sealed class NoHttpApplication : IHttpApplication<IFeatureCollection>
    {
        public IFeatureCollection CreateContext(IFeatureCollection contextFeatures) => contextFeatures;

        public Task ProcessRequestAsync(IFeatureCollection context) => throw new NotSupportedException("The Kafka listener serves no HTTP.");

        public void DisposeContext(IFeatureCollection context, Exception? exception)
        {
        }
    }

    /// <summary>
    /// Counts open connections (for operators and for tests that check failed connections are released) and closes a
    /// new one over the broker-wide <c>max.connections</c>, read per connection since it can change at run time.
    /// </summary>
    private sealed class ConnectionCount(Func<int> limit, ILogger logger)
    {
        private int _open;

        public int Value => Volatile.Read(ref _open);

        public async Task RunAsync(ConnectionContext connection, ConnectionDelegate next)
        {
            var max = limit();
            if (Interlocked.Increment(ref _open) > max)
            {
                Interlocked.Decrement(ref _open);
                LogBrokerLimit(logger, max);
                return;
            }

            try
            {
                await next(connection).ConfigureAwait(false);
            }
            finally
            {
                Interlocked.Decrement(ref _open);
            }
        }
    }

    /// <summary><c>listener.name.&lt;l&gt;.max.connections</c>: Kestrel's own limit is for the whole server.</summary>
    private sealed class ListenerConnections(Func<int> limit, string listenerName, ILogger logger)
    {
        private int _open;

        public async Task RunAsync(ConnectionContext connection, ConnectionDelegate next)
        {
            var max = limit();
            if (Interlocked.Increment(ref _open) > max)
            {
                Interlocked.Decrement(ref _open);
                LogListenerLimit(logger, listenerName, max);
                return;
            }

            try
            {
                await next(connection).ConfigureAwait(false);
            }
            finally
            {
                Interlocked.Decrement(ref _open);
            }
        }
    }

    /// <summary>
    /// <c>max.connections.per.ip</c> (and its overrides) as connection middleware: Kestrel has no per-address limit.
    /// A connection over the limit is closed at once, as Kafka does.
    /// </summary>
    private sealed class PerIpConnections(Func<ListenerLimits> limits, ILogger logger)
    {
        private readonly Dictionary<IPAddress, int> _open = [];

        public async Task RunAsync(ConnectionContext connection, ConnectionDelegate next)
        {
            if (connection.RemoteEndPoint is not IPEndPoint remote)
            {
                await next(connection).ConfigureAwait(false);
                return;
            }

            var address = remote.Address.IsIPv4MappedToIPv6 ? remote.Address.MapToIPv4() : remote.Address;
            var limit = limits().PerIpLimit(address);
            lock (_open)
            {
                var open = _open.GetValueOrDefault(address);
                if (open >= limit)
                {
                    LogPerIpLimit(logger, address, limit);
                    return;
                }

                _open[address] = open + 1;
            }

            try
            {
                await next(connection).ConfigureAwait(false);
            }
            finally
            {
                lock (_open)
                {
                    if (--CollectionsMarshal.GetValueRefOrNullRef(_open, address) == 0)
                    {
                        _open.Remove(address);
                    }
                }
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "max.connections lowered from {Configured} to {Capacity}: the process's open-file limit leaves room for no more (raise ulimit -n)")]
    private static partial void LogConnectionsCapped(ILogger logger, int configured, int capacity);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Closing a new connection: the broker already has {Limit} (max.connections)")]
    private static partial void LogBrokerLimit(ILogger logger, int limit);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Closing a new connection to listener {Listener}: it already has {Limit} (max.connections)")]
    private static partial void LogListenerLimit(ILogger logger, string listener, int limit);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Closing a new connection from {Address}: it already has {Limit} (max.connections.per.ip)")]
    private static partial void LogPerIpLimit(ILogger logger, IPAddress address, int limit);
}
