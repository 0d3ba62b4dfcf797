using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace Streams.Broker.Tests.Support;

/// <summary>
/// A TCP proxy in front of the broker that can swallow Produce responses and cut the connection right after the
/// broker has written the batch, which is exactly when a producer retries and the broker must spot the duplicate.
/// </summary>
internal sealed class FaultProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _tasks = [];
    private int _dropProduceResponses;
    private int _target;

    public FaultProxy()
    {
        _listener.Start();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public int DroppedResponses { get; private set; }

    public void Start(int brokerPort)
    {
        _target = brokerPort;
        _tasks.Add(AcceptAsync());
    }

    /// <summary>The next <paramref name="count"/> Produce responses are lost together with their connection.</summary>
    public void DropNextProduceResponses(int count) => Interlocked.Exchange(ref _dropProduceResponses, count);

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

            var upstream = new TcpClient();
            try
            {
                await upstream.ConnectAsync(IPAddress.Loopback, _target, _stop.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException)
            {
                client.Dispose();
                upstream.Dispose();
                continue;
            }

            var apiKeys = new ConcurrentDictionary<int, short>();
            _tasks.Add(PumpAsync(client, upstream, apiKeys, requests: true));
            _tasks.Add(PumpAsync(upstream, client, apiKeys, requests: false));
        }
    }

    private async Task PumpAsync(TcpClient from, TcpClient to, ConcurrentDictionary<int, short> apiKeys, bool requests)
    {
        var prefix = new byte[4];
        try
        {
            var input = from.GetStream();
            var outputStream = to.GetStream();
            while (true)
            {
                await input.ReadExactlyAsync(prefix, _stop.Token);
                var frame = new byte[BinaryPrimitives.ReadInt32BigEndian(prefix)];
                await input.ReadExactlyAsync(frame, _stop.Token);
                if (requests)
                {
                    apiKeys[BinaryPrimitives.ReadInt32BigEndian(frame.AsSpan(4))] = BinaryPrimitives.ReadInt16BigEndian(frame);
                }
                else if (apiKeys.TryRemove(BinaryPrimitives.ReadInt32BigEndian(frame), out var key) && key == 0
                    && Interlocked.Decrement(ref _dropProduceResponses) >= 0)
                {
                    DroppedResponses++;
                    from.Close();
                    to.Close();
                    return;
                }

                await outputStream.WriteAsync(prefix, _stop.Token);
                await outputStream.WriteAsync(frame, _stop.Token);
            }
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException or ObjectDisposedException or InvalidOperationException or System.Net.Sockets.SocketException)
        {
            from.Close();
            to.Close();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await Task.WhenAll(_tasks.ToArray());
        _stop.Dispose();
    }
}
