using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.Logging;

namespace Streams.Broker.Network;

/// <summary>
/// Kestrel's socket transport, with an accept loop that survives running out of file handles. Kestrel's own
/// listener retries a failed accept at once whatever the error; with EMFILE the pending connection stays in the
/// backlog, so the socket stays ready and the retry spins a core until a handle frees. Here an accept error other
/// than a reset waits (10 ms doubling to 1 s) and says so once per episode; connections still come from Kestrel's
/// <see cref="SocketConnectionContextFactory"/>, so everything past the accept is Kestrel's.
/// </summary>
internal sealed partial class BackoffSocketListenerFactory(ILoggerFactory loggerFactory) : IConnectionListenerFactory, IConnectionListenerFactorySelector
{
    private readonly ILogger _logger = loggerFactory.CreateLogger<BackoffSocketListenerFactory>();

    public bool CanBind(EndPoint endpoint) => endpoint is IPEndPoint;

    public ValueTask<IConnectionListener> BindAsync(EndPoint endpoint, CancellationToken cancellationToken = default)
    {
        var ip = (IPEndPoint)endpoint;
        var socket = new Socket(ip.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            if (ip.Address.Equals(IPAddress.IPv6Any))
            {
                socket.DualMode = true;
            }

            socket.Bind(ip);
            socket.Listen(512);
        }
        catch (SocketException ex) when (ex.SocketErrorCode == SocketError.AddressAlreadyInUse)
        {
            socket.Dispose();
            throw new AddressInUseException(ex.Message, ex);
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        var factory = new SocketConnectionContextFactory(SegmentMemoryPool.Use(new SocketConnectionFactoryOptions()), _logger);
        return new ValueTask<IConnectionListener>(new Listener(socket, factory, _logger));
    }

    private sealed partial class Listener(Socket socket, SocketConnectionContextFactory factory, ILogger logger) : IConnectionListener
    {
        private static readonly TimeSpan FirstBackoff = TimeSpan.FromMilliseconds(10);
        private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(1);

        public EndPoint EndPoint { get; } = socket.LocalEndPoint!;

        public async ValueTask<ConnectionContext?> AcceptAsync(CancellationToken cancellationToken = default)
        {
            var backoff = TimeSpan.Zero;
            var failures = 0;
            while (true)
            {
                try
                {
                    var accepted = await socket.AcceptAsync(cancellationToken).ConfigureAwait(false);
                    if (failures > 0)
                    {
                        LogAcceptRecovered(logger, failures);
                    }

                    accepted.NoDelay = true;
                    return factory.Create(accepted);
                }
                catch (ObjectDisposedException)
                {
                    return null; // unbound
                }
                catch (OperationCanceledException)
                {
                    return null;
                }
                catch (SocketException ex) when (ex.SocketErrorCode is SocketError.OperationAborted or SocketError.Interrupted or SocketError.Shutdown)
                {
                    return null;
                }
                catch (SocketException ex) when (ex.SocketErrorCode is SocketError.ConnectionReset or SocketError.ConnectionAborted)
                {
                    // The client gave up while in the backlog: nothing is short, take the next one.
                }
                catch (SocketException ex)
                {
                    if (failures++ == 0)
                    {
                        LogAcceptFailed(logger, ex.SocketErrorCode, ex.Message);
                    }

                    backoff = backoff == TimeSpan.Zero ? FirstBackoff : TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, MaxBackoff.Ticks));
                    try
                    {
                        await Task.Delay(backoff, cancellationToken).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException)
                    {
                        return null;
                    }
                }
            }
        }

        public ValueTask UnbindAsync(CancellationToken cancellationToken = default)
        {
            socket.Dispose();
            return ValueTask.CompletedTask;
        }

        public ValueTask DisposeAsync()
        {
            socket.Dispose();
            factory.Dispose();
            return ValueTask.CompletedTask;
        }

        [LoggerMessage(Level = LogLevel.Error, Message = "Accepting a Kafka connection failed ({Error}: {Reason}); retrying with backoff up to 1 s until it succeeds")]
        private static partial void LogAcceptFailed(ILogger logger, SocketError error, string reason);

        [LoggerMessage(Level = LogLevel.Warning, Message = "Accepting Kafka connections again after {Failures} failed attempts")]
        private static partial void LogAcceptRecovered(ILogger logger, int failures);
    }
}
