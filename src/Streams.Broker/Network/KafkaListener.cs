using System.Net;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.Options;

namespace Streams.Broker.Network;

/// <summary>
/// The broker's Kafka listener, served by Kestrel as a connection handler: Kestrel owns the sockets (accept loop,
/// backlog, graceful drain on stop, refusing a port already in use, connection metrics, and the TLS and
/// connection-limit middleware the access-control work plugs in per listener); the Kafka framing on the
/// connection's pipes stays ours (<see cref="KafkaConnection"/>). It runs on a Kestrel server of its own rather
/// than on a host's web server because the broker must accept connections before anything in the same host starts
/// (the registry reads <c>_schemas</c> from it, the worker provisions topics), and a web host starts its server
/// after every other hosted service. The server is built directly (no web host of its own): a broker starts in
/// well under a tenth of a second of CPU, and a second host would cost a third of that.
/// </summary>
internal sealed class KafkaListener : IAsyncDisposable
{
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

    public static async Task<KafkaListener> StartAsync(IPEndPoint endpoint, BrokerContext broker, CancellationToken cancellationToken = default)
    {
        var options = new KestrelServerOptions { AddServerHeader = false };

        // Kestrel pauses reading a connection once this much is buffered and unconsumed. A Kafka request is
        // consumed only when whole, so the pause point must sit above the largest request we accept, or a large
        // produce would wait forever for bytes Kestrel stopped reading; the frame check bounds it per connection.
        options.Limits.MaxRequestBufferSize = broker.Config.SocketRequestMaxBytes + 4L + 64 * 1024;
        ListenOptions? listen = null;
        options.Listen(endpoint, listenOptions =>
        {
            listen = listenOptions;
            listenOptions.Run(connection => new KafkaConnection(connection, broker).RunAsync());
        });

        var transport = new SocketTransportFactory(Options.Create(new SocketTransportOptions()), broker.LoggerFactory);
        var server = new KestrelServer(Options.Create(options), transport, broker.LoggerFactory);
        try
        {
            await server.StartAsync(new NoHttpApplication(), cancellationToken).ConfigureAwait(false);
        }
        catch (IOException ex)
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
}
