using System.Net;
using System.Runtime.InteropServices;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Streams.Broker.Configs;

namespace Streams.Broker.Network;

/// <summary>
/// The broker's Kafka listener, served by Kestrel as a connection handler: Kestrel owns the sockets (accept loop,
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
    /// <summary>Kafka's name for a plaintext listener, under which <c>listener.name.plaintext.*</c> settings apply.</summary>
    public const string ListenerName = "PLAINTEXT";

    /// <summary>
    /// What Kestrel buffers per connection ahead of the request loop. Requests are copied out of the pipe as they
    /// arrive (into a buffer admitted by <c>queued.max.request.bytes</c>), so this only bounds read-ahead: pipelined
    /// requests and the bytes of a request still waiting for admission.
    /// </summary>
    private const long ReadAheadBytes = 256 * 1024;

    /// <summary>How long connections get to finish the request in hand when the broker stops.</summary>
    private static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(10);

    private readonly KestrelServer _server;

    private KafkaListener(KestrelServer server, IPEndPoint localEndPoint)
    {
        _server = server;
        LocalEndPoint = localEndPoint;
    }

    /// <summary>The address actually bound (the real port when 0 was asked for).</summary>
    public IPEndPoint LocalEndPoint { get; }

    /// <param name="endpoint">Where to listen.</param>
    /// <param name="config">The broker's settings (limits).</param>
    /// <param name="loggerFactory">Logging for the listener and its connections.</param>
    /// <param name="broker">
    /// The broker's state, once recovered: the listener binds while the logs are still being opened (the two take
    /// about as long, and a machine has more than one core), and each connection waits for it before its first request.
    /// </param>
    /// <param name="cancellationToken">Cancels binding.</param>
    public static async Task<KafkaListener> StartAsync(IPEndPoint endpoint, BrokerConfig config, ILoggerFactory loggerFactory, Task<BrokerContext> broker, CancellationToken cancellationToken = default)
    {
        var limits = config.ForListener(ListenerName);
        var logger = loggerFactory.CreateLogger<KafkaListener>();
        var kestrel = new KestrelServerOptions { AddServerHeader = false };
        kestrel.Limits.MaxRequestBufferSize = ReadAheadBytes;

        // max.connections: Kestrel closes a connection over the limit as soon as it is accepted. It is lowered to
        // what the process's file-handle limit leaves room for, since running out of handles ends a .NET process.
        var maxConnections = limits.MaxConnections;
        if (FileHandleLimit.ConnectionCapacity() is { } capacity && capacity < maxConnections)
        {
            LogConnectionsCapped(logger, maxConnections, capacity);
            maxConnections = capacity;
        }

        kestrel.Limits.MaxConcurrentConnections = maxConnections == int.MaxValue ? null : maxConnections;
        ListenOptions? listen = null;
        kestrel.Listen(endpoint, options =>
        {
            listen = options;
            var perIp = new PerIpConnections(limits, logger);
            options.Use(next => connection => perIp.RunAsync(connection, next));
            options.Run(async connection => await new KafkaConnection(connection, await broker.ConfigureAwait(false), limits).RunAsync().ConfigureAwait(false));
        });

        // Kestrel's socket transport, but with an accept loop that backs off when out of file handles.
        var server = new KestrelServer(Options.Create(kestrel), new BackoffSocketListenerFactory(loggerFactory), loggerFactory);
        try
        {
            await server.StartAsync(new NoHttpApplication(), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or AddressInUseException)
        {
            server.Dispose();
            throw new IOException($"The Kafka listener cannot bind {endpoint}: {ex.Message} (is another broker running on this port?)", ex);
        }

        return new KafkaListener(server, listen!.IPEndPoint!);
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
    /// <c>max.connections.per.ip</c> (and its overrides) as connection middleware: Kestrel has no per-address limit.
    /// A connection over the limit is closed at once, as Kafka does.
    /// </summary>
    private sealed class PerIpConnections(ListenerLimits limits, ILogger logger)
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
            var limit = limits.PerIpLimit(address);
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

    [LoggerMessage(Level = LogLevel.Warning, Message = "Closing a new connection from {Address}: it already has {Limit} (max.connections.per.ip)")]
    private static partial void LogPerIpLimit(ILogger logger, IPAddress address, int limit);
}
