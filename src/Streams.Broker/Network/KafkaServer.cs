using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;

namespace Streams.Broker.Network;

/// <summary>Accepts TCP connections and runs each on its own task until the server stops.</summary>
internal sealed partial class KafkaServer : IAsyncDisposable
{
    private readonly Socket _listener;
    private readonly BrokerContext _broker;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stopping = new();
    private readonly ConcurrentDictionary<Task, bool> _connections = new();
    private Task _acceptLoop = Task.CompletedTask;

    public KafkaServer(IPEndPoint endpoint, BrokerContext broker)
    {
        _broker = broker;
        _logger = broker.LoggerFactory.CreateLogger<KafkaServer>();
        _listener = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        _listener.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        _listener.Bind(endpoint);
        LocalEndPoint = (IPEndPoint)_listener.LocalEndPoint!;
    }

    public IPEndPoint LocalEndPoint { get; }

    public void Start()
    {
        _listener.Listen(512);
        _acceptLoop = AcceptAsync(_stopping.Token);
    }

    private async Task AcceptAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await _listener.AcceptAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (SocketException ex) when (ex.SocketErrorCode is SocketError.OperationAborted or SocketError.Interrupted)
            {
                return;
            }
            catch (ObjectDisposedException)
            {
                return;
            }

            socket.NoDelay = true;
            var connection = new KafkaConnection(socket, _broker, _logger);
            var task = Task.Run(() => connection.RunAsync(cancellationToken), CancellationToken.None);
            _connections[task] = true;
            _ = task.ContinueWith(t => _connections.TryRemove(t, out _), TaskScheduler.Default);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        _listener.Dispose();
        await _acceptLoop.ConfigureAwait(false);
        try
        {
            await Task.WhenAll(_connections.Keys).WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            LogSlowConnections(_logger, _connections.Count);
        }

        _stopping.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Count} connections did not close within 10 s of shutdown")]
    private static partial void LogSlowConnections(ILogger logger, int count);
}
