using System.Buffers.Binary;
using System.Net.Sockets;
using Streams.Broker.Protocol;

namespace Streams.Broker.Tests.Support;

/// <summary>
/// A bare TCP connection speaking Kafka frames, for what real clients never send: garbage, truncated frames,
/// unknown APIs, corrupt batches, exact retries.
/// </summary>
internal sealed class RawConnection : IDisposable
{
    private readonly TcpClient _client;
    private readonly NetworkStream _stream;
    private int _correlationId;

    private RawConnection(TcpClient client)
    {
        _client = client;
        _stream = client.GetStream();
    }

    public static async Task<RawConnection> ConnectAsync(KafkaBroker broker)
    {
        var client = new TcpClient { NoDelay = true };
        await client.ConnectAsync(broker.Host, broker.Port);
        return new RawConnection(client);
    }

    public static async Task<RawConnection> ConnectAsync(string bootstrap)
    {
        var colon = bootstrap.LastIndexOf(':');
        var client = new TcpClient { NoDelay = true };
        await client.ConnectAsync(bootstrap[..colon], int.Parse(bootstrap[(colon + 1)..], System.Globalization.CultureInfo.InvariantCulture));
        return new RawConnection(client);
    }

    /// <summary>Sends a generated request message and reads the generated response (null when the broker closed the connection).</summary>
    public async Task<TResponse?> SendAsync<TRequest, TResponse>(TRequest request, short version, TimeSpan? timeout = null)
        where TRequest : IKafkaMessage<TRequest>
        where TResponse : class, IKafkaMessage<TResponse>
    {
        var flexible = version >= TRequest.FirstFlexibleVersion;
        using var writer = new KafkaWriter();
        var sizeAt = writer.ReserveInt32();
        writer.WriteInt16((short)TRequest.ApiKey);
        writer.WriteInt16(version);
        var correlationId = ++_correlationId;
        writer.WriteInt32(correlationId);
        writer.WriteString("raw-test");
        writer.Flexible = flexible;
        writer.WriteTaggedFields();
        request.Write(writer, version);
        writer.PatchInt32(sizeAt, writer.Position - 4);
        await _stream.WriteAsync(writer.WrittenMemory);
        if (await ReadFrameAsync(timeout) is not { } frame)
        {
            return null;
        }

        var reader = new KafkaReader(frame, flexible);
        Assert.Equal(correlationId, reader.ReadInt32());
        if (flexible && TRequest.ApiKey != ApiKey.ApiVersions)
        {
            reader.SkipTaggedFields();
        }

        return TResponse.Read(ref reader, version);
    }

    public Task SendRawAsync(byte[] bytes) => _stream.WriteAsync(bytes).AsTask();

    /// <summary>Sends a request (header v1, or v2 when <paramref name="flexible"/>) and returns the response body after the correlation id.</summary>
    public async Task<KafkaReader> RequestAsync(ApiKey key, short version, Action<KafkaWriter> body, bool flexible = false, bool expectResponse = true)
    {
        using var writer = new KafkaWriter();
        var sizeAt = writer.ReserveInt32();
        writer.WriteInt16((short)key);
        writer.WriteInt16(version);
        var correlationId = ++_correlationId;
        writer.WriteInt32(correlationId);
        writer.WriteString("raw-test");
        writer.Flexible = flexible;
        writer.WriteTaggedFields();
        body(writer);
        writer.PatchInt32(sizeAt, writer.Position - 4);
        await _stream.WriteAsync(writer.WrittenMemory);
        if (!expectResponse)
        {
            return default;
        }

        var response = await ReadFrameAsync() ?? throw new IOException("connection closed before the response");
        var reader = new KafkaReader(response, flexible);
        Assert.Equal(correlationId, reader.ReadInt32());
        if (flexible && key != ApiKey.ApiVersions)
        {
            reader.SkipTaggedFields();
        }

        return reader;
    }

    /// <summary>Reads one response frame, or null when the broker closed the connection.</summary>
    public async Task<byte[]?> ReadFrameAsync(TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(10));
        var prefix = new byte[4];
        if (!await ReadExactlyAsync(prefix, cts.Token))
        {
            return null;
        }

        var frame = new byte[BinaryPrimitives.ReadInt32BigEndian(prefix)];
        return await ReadExactlyAsync(frame, cts.Token) ? frame : null;
    }

    /// <summary>True when the broker closes the connection (reads hit end of stream) within the timeout.</summary>
    public async Task<bool> IsClosedByBrokerAsync(TimeSpan? timeout = null)
    {
        try
        {
            return await ReadFrameAsync(timeout ?? TimeSpan.FromSeconds(10)) is null;
        }
        catch (IOException)
        {
            return true;
        }
    }

    private async Task<bool> ReadExactlyAsync(byte[] buffer, CancellationToken cancellationToken)
    {
        var read = 0;
        while (read < buffer.Length)
        {
            var n = await _stream.ReadAsync(buffer.AsMemory(read), cancellationToken);
            if (n == 0)
            {
                return false;
            }

            read += n;
        }

        return true;
    }

    public void Dispose()
    {
        _stream.Dispose();
        _client.Dispose();
    }
}
