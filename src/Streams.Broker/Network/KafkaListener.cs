using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Streams.Broker.Network;

/// <summary>
/// The broker's Kafka listener, served by Kestrel as a connection handler: Kestrel owns the sockets (accept loop,
/// backlog, graceful drain on stop, refusing a port already in use, connection metrics, and the TLS and
/// connection-limit middleware the access-control work plugs in per listener); the Kafka framing on the
/// connection's pipes stays ours (<see cref="KafkaConnection"/>). It runs on a Kestrel server of its own rather
/// than on a host's web server because the broker must accept connections before anything in the same host starts
/// (the registry reads <c>_schemas</c> from it, the worker provisions topics), and a web host starts its server
/// after every other hosted service.
/// </summary>
internal sealed class KafkaListener : IAsyncDisposable
{
    /// <summary>How long connections get to finish the request in hand when the broker stops.</summary>
    private static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(10);

    private readonly WebApplication _server;

    private KafkaListener(WebApplication server, IPEndPoint localEndPoint)
    {
        _server = server;
        LocalEndPoint = localEndPoint;
    }

    /// <summary>The address actually bound (the real port when 0 was asked for).</summary>
    public IPEndPoint LocalEndPoint { get; }

    public static async Task<KafkaListener> StartAsync(IPEndPoint endpoint, BrokerContext broker, CancellationToken cancellationToken = default)
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.Services.AddSingleton(broker.LoggerFactory);
        ListenOptions? listen = null;
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel =>
        {
            // Kestrel pauses reading a connection once this much is buffered and unconsumed. A Kafka request is
            // consumed only when whole, so the pause point must sit above the largest request we accept, or a large
            // produce would wait forever for bytes Kestrel stopped reading; the frame check bounds it per connection.
            kestrel.Limits.MaxRequestBufferSize = broker.Config.SocketRequestMaxBytes + 4L + 64 * 1024;
            kestrel.Listen(endpoint, options =>
            {
                listen = options;
                options.Run(connection => new KafkaConnection(connection, broker).RunAsync());
            });
        });

        var server = builder.Build();
        try
        {
            await server.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (IOException ex)
        {
            await server.DisposeAsync().ConfigureAwait(false);
            throw new IOException($"The Kafka listener cannot bind {endpoint}: {ex.Message} (is another broker running on this port?)", ex);
        }

        return new KafkaListener(server, listen!.IPEndPoint!);
    }

    /// <summary>Stops accepting, lets each connection finish the request in hand, then closes the rest.</summary>
    public async ValueTask DisposeAsync()
    {
        using var drain = new CancellationTokenSource(DrainTimeout);
        await _server.StopAsync(drain.Token).ConfigureAwait(false);
        await _server.DisposeAsync().ConfigureAwait(false);
    }
}
