using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Streams.Broker.Tests.Support;

/// <summary>
/// A TCP proxy the broker advertises (so every client connection goes through it) that can cut one client off,
/// by its client.id, as if its process had died: its connections are closed and every reconnect is refused.
/// </summary>
internal sealed class NetworkPartitionProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentBag<Task> _tasks = [];
    private readonly ConcurrentDictionary<string, bool> _cut = new(StringComparer.Ordinal);
    private readonly ConcurrentBag<(string ClientId, TcpClient Client, TcpClient Upstream)> _connections = [];
    private int _target;

    public NetworkPartitionProxy()
    {
        _listener.Start();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public void Start(int brokerPort)
    {
        _target = brokerPort;
        _tasks.Add(AcceptAsync());
    }

    /// <summary>Sends new connections to a broker that came back on another port (connections in flight are not moved).</summary>
    public void Retarget(int brokerPort) => Volatile.Write(ref _target, brokerPort);

    public void Cut(string clientId)
    {
        _cut[clientId] = true;
        foreach (var (id, client, upstream) in _connections)
        {
            if (id == clientId)
            {
                client.Close();
                upstream.Close();
            }
        }
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }

            _tasks.Add(ServeAsync(client));
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using var upstream = new TcpClient();
        try
        {
            // The first request names the client (request header: key, version, correlation id, client id).
            var input = client.GetStream();
            var prefix = new byte[4];
            await input.ReadExactlyAsync(prefix, _stop.Token);
            var frame = new byte[BinaryPrimitives.ReadInt32BigEndian(prefix)];
            await input.ReadExactlyAsync(frame, _stop.Token);
            var idLength = BinaryPrimitives.ReadInt16BigEndian(frame.AsSpan(8));
            var clientId = idLength < 0 ? string.Empty : Encoding.UTF8.GetString(frame, 10, idLength);
            if (_cut.ContainsKey(clientId))
            {
                client.Close();
                return;
            }

            await upstream.ConnectAsync(IPAddress.Loopback, Volatile.Read(ref _target));
            _connections.Add((clientId, client, upstream));
            var output = upstream.GetStream();
            await output.WriteAsync(prefix, _stop.Token);
            await output.WriteAsync(frame, _stop.Token);
            await Task.WhenAll(PumpAsync(input, output), PumpAsync(output, input));
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException or ObjectDisposedException or EndOfStreamException or SocketException)
        {
        }
        finally
        {
            client.Close();
        }
    }

    private async Task PumpAsync(NetworkStream from, NetworkStream to)
    {
        try
        {
            await from.CopyToAsync(to, _stop.Token);
        }
        finally
        {
            from.Close();
            to.Close();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        foreach (var (_, client, upstream) in _connections)
        {
            client.Close();
            upstream.Close();
        }

        try
        {
            await Task.WhenAll(_tasks.ToArray());
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException or ObjectDisposedException or SocketException)
        {
        }

        _stop.Dispose();
    }
}
