using System.Buffers;
using System.Buffers.Binary;
using System.IO.Pipelines;
using System.Net;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.Extensions.Logging;
using Streams.Broker.Apis;
using Streams.Broker.Protocol;

namespace Streams.Broker.Network;

/// <summary>
/// One client connection. Requests are handled strictly one after another and answered in order, as the protocol
/// requires (and as Kafka does by muting the channel); a long-polling fetch here never blocks other connections.
/// Undecodable input closes only this connection, after one log line saying why.
/// </summary>
internal sealed partial class KafkaConnection(ConnectionContext connection, BrokerContext broker)
{
    private const int HeaderMinimum = 8; // api key, version, correlation id

    private readonly ILogger _logger = broker.LoggerFactory.CreateLogger<KafkaConnection>();
    private readonly string _remote = (connection.RemoteEndPoint as IPEndPoint)?.ToString() ?? "unknown";

    public async Task RunAsync()
    {
        // Ends the request loop when the client goes away or the broker stops (Kestrel asks each connection to close
        // and gives it the drain timeout to answer the request in hand; a long-polling fetch is cut short).
        var closeRequested = connection.Features.Get<IConnectionLifetimeNotificationFeature>()?.ConnectionClosedRequested ?? CancellationToken.None;
        using var closing = CancellationTokenSource.CreateLinkedTokenSource(connection.ConnectionClosed, closeRequested);
        var cancellationToken = closing.Token;
        var reader = connection.Transport.Input;
        var writer = connection.Transport.Output;
        var maxRequestBytes = broker.Config.SocketRequestMaxBytes;
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                var result = await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
                var buffer = result.Buffer;
                while (TryTakeFrame(ref buffer, maxRequestBytes, out var frame, out var frameLength))
                {
                    try
                    {
                        if (!await HandleFrameAsync(frame, frameLength, writer, cancellationToken).ConfigureAwait(false))
                        {
                            return;
                        }
                    }
                    finally
                    {
                        ArrayPool<byte>.Shared.Return(frame);
                    }
                }

                reader.AdvanceTo(buffer.Start, buffer.End);
                if (result.IsCompleted)
                {
                    if (buffer.Length > 0)
                    {
                        LogTruncatedFrame(_logger, _remote, buffer.Length);
                    }

                    return;
                }
            }
        }
        catch (FrameTooLargeException ex)
        {
            LogFrameTooLarge(_logger, _remote, ex.Size, maxRequestBytes);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        catch (ConnectionResetException)
        {
            // The client went away mid-request: nothing to answer.
        }
        catch (IOException)
        {
        }
        finally
        {
            await reader.CompleteAsync().ConfigureAwait(false);
            await writer.CompleteAsync().ConfigureAwait(false);
        }
    }

    private static bool TryTakeFrame(ref ReadOnlySequence<byte> buffer, int maxRequestBytes, out byte[] frame, out int length)
    {
        frame = [];
        length = 0;
        if (buffer.Length < 4)
        {
            return false;
        }

        Span<byte> prefix = stackalloc byte[4];
        buffer.Slice(0, 4).CopyTo(prefix);
        var size = BinaryPrimitives.ReadInt32BigEndian(prefix);
        if (size < HeaderMinimum || size > maxRequestBytes)
        {
            throw new FrameTooLargeException(size);
        }

        if (buffer.Length < 4 + size)
        {
            return false;
        }

        // One copy into a pooled array: the handler owns it (Produce rewrites batch offsets in place) until it answers.
        frame = ArrayPool<byte>.Shared.Rent(size);
        buffer.Slice(4, size).CopyTo(frame);
        length = size;
        buffer = buffer.Slice(4 + size);
        return true;
    }

    /// <returns>false when the connection must be closed.</returns>
    private async ValueTask<bool> HandleFrameAsync(byte[] frame, int length, PipeWriter output, CancellationToken cancellationToken)
    {
        var header = new KafkaReader(frame.AsMemory(0, length), flexible: false);
        var apiKey = header.ReadInt16();
        var apiVersion = header.ReadInt16();
        var correlationId = header.ReadInt32();
        string? clientId;
        try
        {
            clientId = header.ReadLegacyNullableString();
        }
        catch (ProtocolException ex)
        {
            LogMalformed(_logger, _remote, apiKey, apiVersion, ex.Message);
            return false;
        }

        var handler = broker.Apis.Find(apiKey);
        if (handler is null)
        {
            LogUnknownApi(_logger, _remote, clientId, apiKey, apiVersion);
            return false;
        }

        using var response = new KafkaWriter();
        var sizeAt = response.ReserveInt32();
        response.WriteInt32(correlationId);
        if (apiVersion < handler.MinVersion || apiVersion > handler.MaxVersion)
        {
            if (handler.Key != ApiKey.ApiVersions)
            {
                LogUnsupportedVersion(_logger, _remote, clientId, handler.Key, apiVersion, handler.MinVersion, handler.MaxVersion);
                return false;
            }

            // KIP-511: a client newer than us learns our range from a v0-format error reply and retries.
            ApiVersionsApi.WriteUnsupportedVersion(response, handler);
            await SendAsync(response, sizeAt, output, cancellationToken).ConfigureAwait(false);
            return true;
        }

        var flexible = handler.IsFlexible(apiVersion);
        var body = new KafkaReader(frame.AsMemory(header.Position, length - header.Position), flexible);
        if (flexible)
        {
            body.SkipTaggedFields(); // request header v2 tags
            if (handler.Key != ApiKey.ApiVersions)
            {
                response.Flexible = true;
                response.WriteTaggedFields(); // response header v1; ApiVersions always answers with header v0
            }
        }

        response.Flexible = flexible;
        var context = new RequestContext(broker, handler.Key, apiVersion, correlationId, clientId, _remote, cancellationToken);
        try
        {
            await handler.HandleAsync(context, body, response).ConfigureAwait(false);
        }
        catch (ProtocolException ex)
        {
            LogMalformed(_logger, _remote, apiKey, apiVersion, ex.Message);
            return false;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogHandlerFailed(_logger, ex, handler.Key, apiVersion, _remote);
            return false;
        }

        if (!context.SuppressResponse)
        {
            await SendAsync(response, sizeAt, output, cancellationToken).ConfigureAwait(false);
        }

        return true;
    }

    private static async ValueTask SendAsync(KafkaWriter response, int sizeAt, PipeWriter output, CancellationToken cancellationToken)
    {
        response.PatchInt32(sizeAt, response.Position - 4);
        await output.WriteAsync(response.WrittenMemory, cancellationToken).ConfigureAwait(false);
    }

    private sealed class FrameTooLargeException(int size) : Exception($"frame size {size}")
    {
        public int Size { get; } = size;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Closing connection from {Remote}: request size {Size} is outside 8..{Max} bytes (garbage or a non-Kafka client)")]
    private static partial void LogFrameTooLarge(ILogger logger, string remote, int size, int max);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Connection from {Remote} closed with {Bytes} bytes of an incomplete request")]
    private static partial void LogTruncatedFrame(ILogger logger, string remote, long bytes);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Closing connection from {Remote}: malformed request (api key {ApiKey} v{ApiVersion}): {Reason}")]
    private static partial void LogMalformed(ILogger logger, string remote, short apiKey, short apiVersion, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Closing connection from {Remote} (client {ClientId}): unknown API key {ApiKey} v{ApiVersion}")]
    private static partial void LogUnknownApi(ILogger logger, string remote, string? clientId, short apiKey, short apiVersion);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Closing connection from {Remote} (client {ClientId}): {ApiKey} v{ApiVersion} is not supported (supported {Min}-{Max})")]
    private static partial void LogUnsupportedVersion(ILogger logger, string remote, string? clientId, ApiKey apiKey, short apiVersion, short min, short max);

    [LoggerMessage(Level = LogLevel.Error, Message = "{ApiKey} v{ApiVersion} from {Remote} failed; closing the connection")]
    private static partial void LogHandlerFailed(ILogger logger, Exception exception, ApiKey apiKey, short apiVersion, string remote);
}
