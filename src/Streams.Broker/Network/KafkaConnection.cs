using System.Buffers;
using System.Buffers.Binary;
using System.IO.Pipelines;
using System.Net;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.Extensions.Logging;
using Streams.Broker.Apis;
using Streams.Broker.Configs;
using Streams.Broker.Observability;
using Streams.Broker.Protocol;
using Streams.Broker.Security;
using Streams.Broker.Security.Authentication.Sasl;
using Streams.Broker.Security.Authentication.Tls;

namespace Streams.Broker.Network;

/// <summary>
/// One client connection. Requests are handled strictly one after another and answered in order, as the protocol
/// requires (and as Kafka does by muting the channel); a long-polling fetch here never blocks other connections.
/// Undecodable input closes only this connection, after one log line saying why.
/// </summary>
internal sealed partial class KafkaConnection(ConnectionContext connection, BrokerContext broker, ListenerEndpoint listener, ILogger audit)
{
    private const int HeaderMinimum = 8; // api key, version, correlation id

    /// <summary>
    /// Requests up to this size use pooled buffers. Larger ones get a buffer of their own that the GC reclaims once
    /// the request is done: a pooled 100 MB array would stay with the pool (and the process) after its connection closed.
    /// </summary>
    private const int PooledFrameMax = 1024 * 1024;

    /// <summary>
    /// A pool of its own, bounded to a few buffers per size (at most about 16 MB kept), where the shared pool would keep
    /// dozens of 1 MB buffers per core for good after a burst of requests.
    /// </summary>
    private static readonly ArrayPool<byte> FramePool = ArrayPool<byte>.Create(PooledFrameMax, maxArraysPerBucket: 8);

    private readonly ILogger _logger = broker.LoggerFactory.CreateLogger<KafkaConnection>();
    private readonly string _remote = (connection.RemoteEndPoint as IPEndPoint)?.ToString() ?? "unknown";
    private readonly ListenerLimits limits = listener.Limits;

    /// <summary>The client certificate's principal on an SSL listener (User:ANONYMOUS without one, as on PLAINTEXT).</summary>
    private readonly KafkaPrincipal _transportPrincipal = connection.Features.Get<TlsConnectionFeature>()?.ClientPrincipal ?? KafkaPrincipal.Anonymous;

    private readonly int _saslMaxReceive = int.Parse(broker.Config.ListenerValue(listener.Name, SecuritySettingDefs.SaslServerMaxReceiveSize.Name)!, System.Globalization.CultureInfo.InvariantCulture);

    private SaslAuthenticator? _sasl;

    public async Task RunAsync()
    {
        if (listener.Config.Sasl is { } sasl)
        {
            _sasl = new SaslAuthenticator(sasl, broker.ScramCredentials, listener.Name, _remote, audit, broker.Time);
        }

        // Ends the request loop when the client goes away or the broker stops (Kestrel asks each connection to close
        // and gives it the drain timeout to answer the request in hand; a long-polling fetch is cut short).
        var closeRequested = connection.Features.Get<IConnectionLifetimeNotificationFeature>()?.ConnectionClosedRequested ?? CancellationToken.None;
        using var closing = CancellationTokenSource.CreateLinkedTokenSource(connection.ConnectionClosed, closeRequested);
        var cancellationToken = closing.Token;

        // Reads alone also end on a timer: connections.max.idle.ms while waiting for a request to begin, and
        // socket.request.receive.timeout.ms while its bytes arrive. Handling (a long-polling fetch) is not timed here.
        using var readTimer = new CancellationTokenSource();
        using var reading = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, readTimer.Token);
        var reader = connection.Transport.Input;
        var writer = connection.Transport.Output;
        var maxRequestBytes = broker.Config.SocketRequestMaxBytes;
        var budget = broker.RequestMemory;
        var phase = "idle";
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                readTimer.CancelAfter(limits.MaxIdle);
                phase = "idle";
                var size = await ReadSizeAsync(reader, reading.Token).ConfigureAwait(false);
                if (size is not { } length)
                {
                    return;
                }

                if (_sasl is { Principal: null } && length > _saslMaxReceive)
                {
                    // Kafka's sasl.server.max.receive.size: an unauthenticated client may not make the broker buffer much.
                    LogFrameTooLarge(_logger, _remote, length, _saslMaxReceive);
                    return;
                }

                if ((length < HeaderMinimum && _sasl is not { ExpectsRawToken: true }) || length > maxRequestBytes)
                {
                    // Kafka closes the connection too (InvalidReceiveException): nothing after this prefix can be framed.
                    LogFrameTooLarge(_logger, _remote, length, maxRequestBytes);
                    return;
                }

                // Waiting for room is the broker's doing, not the client's: no timer runs meanwhile.
                readTimer.CancelAfter(Timeout.Infinite);
                if (budget is not null)
                {
                    await budget.AcquireAsync(length, cancellationToken).ConfigureAwait(false);
                }

                var frame = length <= PooledFrameMax ? FramePool.Rent(length) : GC.AllocateUninitializedArray<byte>(length);
                try
                {
                    readTimer.CancelAfter(broker.Config.SocketRequestReceiveTimeout);
                    phase = "receiving a request";
                    if (!await ReadBodyAsync(reader, frame.AsMemory(0, length), reading.Token).ConfigureAwait(false))
                    {
                        return;
                    }

                    readTimer.CancelAfter(Timeout.Infinite);
                    if (!await HandleFrameAsync(frame, length, writer, cancellationToken).ConfigureAwait(false))
                    {
                        return;
                    }
                }
                finally
                {
                    if (length <= PooledFrameMax)
                    {
                        FramePool.Return(frame);
                    }
                    else
                    {
                        LargeFrames.Released(length);
                    }

                    budget?.Release(length);
                }
            }
        }
        catch (OperationCanceledException) when (readTimer.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            LogReadTimeout(_logger, _remote, phase);
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

    /// <summary>The next request's size prefix, or null when the client closed the connection.</summary>
    private async ValueTask<int?> ReadSizeAsync(PipeReader reader, CancellationToken cancellationToken)
    {
        while (true)
        {
            var result = await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            var buffer = result.Buffer;
            if (buffer.Length >= 4)
            {
                Span<byte> prefix = stackalloc byte[4];
                buffer.Slice(0, 4).CopyTo(prefix);
                reader.AdvanceTo(buffer.GetPosition(4));
                return BinaryPrimitives.ReadInt32BigEndian(prefix);
            }

            reader.AdvanceTo(buffer.Start, buffer.End);
            if (result.IsCompleted)
            {
                if (buffer.Length > 0)
                {
                    LogTruncatedFrame(_logger, _remote, buffer.Length);
                }

                return null;
            }
        }
    }

    /// <summary>
    /// Copies the request body out of the pipe as it arrives, consuming it, so Kestrel's buffers hold only read-ahead.
    /// False when the client closed the connection first.
    /// </summary>
    private async ValueTask<bool> ReadBodyAsync(PipeReader reader, Memory<byte> body, CancellationToken cancellationToken)
    {
        var filled = 0;
        while (filled < body.Length)
        {
            var result = await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            var buffer = result.Buffer;
            var take = (int)Math.Min(buffer.Length, body.Length - filled);
            buffer.Slice(0, take).CopyTo(body.Span[filled..]);
            filled += take;
            reader.AdvanceTo(buffer.GetPosition(take));
            if (filled < body.Length && result.IsCompleted)
            {
                LogTruncatedFrame(_logger, _remote, 4L + filled);
                return false;
            }
        }

        return true;
    }

    /// <returns>false when the connection must be closed.</returns>
    private async ValueTask<bool> HandleFrameAsync(byte[] frame, int length, PipeWriter output, CancellationToken cancellationToken)
    {
        if (_sasl is { ExpectsRawToken: true })
        {
            return await HandleRawSaslTokenAsync(_sasl, frame.AsMemory(0, length), output, cancellationToken).ConfigureAwait(false);
        }

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

        if (_sasl?.Refusal(handler.Key) is { } refusal)
        {
            // Kafka throws IllegalSaslStateException here and closes the connection without an answer.
            LogSaslRefusal(_logger, _remote, clientId, listener.Name, refusal);
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
            try
            {
                body.SkipTaggedFields(); // request header v2 tags
            }
            catch (ProtocolException ex)
            {
                // Found by the protocol fuzzer: a bad header tag escaped to Kestrel as an unhandled exception.
                LogMalformed(_logger, _remote, apiKey, apiVersion, ex.Message);
                return false;
            }

            if (handler.Key != ApiKey.ApiVersions)
            {
                response.Flexible = true;
                response.WriteTaggedFields(); // response header v1; ApiVersions always answers with header v0
            }
        }

        response.Flexible = flexible;
        var principal = _sasl is null ? _transportPrincipal : _sasl.Principal ?? KafkaPrincipal.Anonymous;
        var context = new RequestContext(broker, handler.Key, apiVersion, correlationId, clientId, _remote, principal, listener.Name, cancellationToken)
        {
            Authenticator = _sasl,
            AdvertisedHost = listener.AdvertisedHost,
            AdvertisedPort = listener.AdvertisedPort,
        };
        var started = BrokerMetrics.RequestStarted();
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

        BrokerMetrics.RequestHandled(handler.Key, started);

        return !context.CloseConnection;
    }

    /// <summary>
    /// A raw SASL token after SaslHandshake v0 (no request header): the challenge goes back size-prefixed the same
    /// way; a failure closes the connection without an answer, as Kafka does for unframed tokens.
    /// </summary>
    private static async ValueTask<bool> HandleRawSaslTokenAsync(SaslAuthenticator sasl, ReadOnlyMemory<byte> token, PipeWriter output, CancellationToken cancellationToken)
    {
        byte[] challenge;
        try
        {
            (challenge, _) = sasl.Authenticate(token.Span);
        }
        catch (SaslAuthenticationException)
        {
            return false;
        }

        using var response = new KafkaWriter();
        var sizeAt = response.ReserveInt32();
        response.WriteRaw(challenge);
        await SendAsync(response, sizeAt, output, cancellationToken).ConfigureAwait(false);
        return true;
    }

    private static async ValueTask SendAsync(KafkaWriter response, int sizeAt, PipeWriter output, CancellationToken cancellationToken)
    {
        response.PatchInt32(sizeAt, response.Position - 4);
        await output.WriteAsync(response.WrittenMemory, cancellationToken).ConfigureAwait(false);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Closing connection from {Remote}: request size {Size} is outside 8..{Max} bytes (garbage or a non-Kafka client)")]
    private static partial void LogFrameTooLarge(ILogger logger, string remote, int size, int max);

    [LoggerMessage(Level = LogLevel.Information, Message = "Closing connection from {Remote}: timed out while {Phase} (connections.max.idle.ms / socket.request.receive.timeout.ms)")]
    private static partial void LogReadTimeout(ILogger logger, string remote, string phase);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Connection from {Remote} closed with {Bytes} bytes of an incomplete request")]
    private static partial void LogTruncatedFrame(ILogger logger, string remote, long bytes);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Closing connection from {Remote}: malformed request (api key {ApiKey} v{ApiVersion}): {Reason}")]
    private static partial void LogMalformed(ILogger logger, string remote, short apiKey, short apiVersion, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Closing connection from {Remote} (client {ClientId}): unknown API key {ApiKey} v{ApiVersion}")]
    private static partial void LogUnknownApi(ILogger logger, string remote, string? clientId, short apiKey, short apiVersion);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Closing connection from {Remote} (client {ClientId}): {ApiKey} v{ApiVersion} is not supported (supported {Min}-{Max})")]
    private static partial void LogUnsupportedVersion(ILogger logger, string remote, string? clientId, ApiKey apiKey, short apiVersion, short min, short max);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Closing connection from {Remote} (client {ClientId}) on listener {Listener}: {Reason}")]
    private static partial void LogSaslRefusal(ILogger logger, string remote, string? clientId, string listener, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "{ApiKey} v{ApiVersion} from {Remote} failed; closing the connection")]
    private static partial void LogHandlerFailed(ILogger logger, Exception exception, ApiKey apiKey, short apiVersion, string remote);
}
