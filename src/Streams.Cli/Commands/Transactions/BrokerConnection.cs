using System.Buffers.Binary;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Streams.Broker.Protocol;
using Streams.Broker.Protocol.Messages;
using Streams.Broker.Security.Authentication.Scram;
using Streams.Cli.Infrastructure;

namespace Streams.Cli.Commands.Transactions;

/// <summary>
/// One TCP connection to one broker, sending single Kafka requests with the broker project's message codecs. For the
/// transaction APIs Confluent.Kafka's AdminClient lacks (ListTransactions, DescribeTransactions, DescribeProducers,
/// WriteTxnMarkers); it does not negotiate versions (the versions used are served by Kafka 3.x-4.x and the embedded
/// broker). Secured as <see cref="ConnectionSecurity"/> says: TLS from the platform's SslStream, then SASL PLAIN or
/// SCRAM through SaslHandshake v1 and SaslAuthenticate v2 before the first request.
/// </summary>
internal sealed class BrokerConnection : IDisposable
{
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(30);
    private readonly TcpClient _client;
    private readonly Stream _stream;
    private int _correlationId;

    private BrokerConnection(TcpClient client, Stream stream)
    {
        _client = client;
        _stream = stream;
    }

    public static async Task<BrokerConnection> ConnectAsync(string host, int port, ConnectionSecurity security, CancellationToken cancellationToken)
    {
        var client = new TcpClient { NoDelay = true };
        Stream? stream = null;
        try
        {
            await client.ConnectAsync(host, port, cancellationToken).ConfigureAwait(false);
            stream = client.GetStream();
            if (security.Tls)
            {
                stream = await StartTlsAsync(stream, host, port, security, cancellationToken).ConfigureAwait(false);
            }

            var connection = new BrokerConnection(client, stream);
            if (security.SaslMechanism is { } mechanism)
            {
                await connection.LoginAsync(mechanism, security.SaslUsername!, security.SaslPassword!, $"{host}:{port}", cancellationToken).ConfigureAwait(false);
            }

            return connection;
        }
        catch (CliException)
        {
            stream?.Dispose();
            client.Dispose();
            throw;
        }
        catch (Exception e) when (e is SocketException or AuthenticationException or IOException)
        {
            stream?.Dispose();
            client.Dispose();
            throw new CliException($"Could not connect to broker {host}:{port}: {e.Message}");
        }
    }

    private static async Task<Stream> StartTlsAsync(Stream stream, string host, int port, ConnectionSecurity security, CancellationToken cancellationToken)
    {
        var tls = new SslStream(stream, leaveInnerStreamOpen: false);
        var options = new SslClientAuthenticationOptions
        {
            TargetHost = host,
            ClientCertificates = security.ClientCertificate is { } certificate ? new X509CertificateCollection { certificate } : null,
            CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
        };
        if (security.TrustedCertificates is { } trusted)
        {
            // Only the configured CAs are trusted, as librdkafka does with ssl.ca.location.
            var policy = new X509ChainPolicy { TrustMode = X509ChainTrustMode.CustomRootTrust, RevocationMode = X509RevocationMode.NoCheck };
            policy.CustomTrustStore.AddRange(trusted);
            options.CertificateChainPolicy = policy;
        }

        // librdkafka's switches: no verification at all, or a trusted chain with any name.
        if (!security.VerifyCertificate || !security.VerifyHostName)
        {
            options.RemoteCertificateValidationCallback = (_, _, _, errors) =>
                !security.VerifyCertificate || (errors & ~SslPolicyErrors.RemoteCertificateNameMismatch) == SslPolicyErrors.None;
        }

        try
        {
            await tls.AuthenticateAsClientAsync(options, cancellationToken).ConfigureAwait(false);
            return tls;
        }
        catch (AuthenticationException e)
        {
            await tls.DisposeAsync().ConfigureAwait(false);
            throw new CliException($"TLS handshake with broker {host}:{port} failed: {e.Message} (ssl.ca.location, ssl.endpoint.identification.algorithm)");
        }
    }

    /// <summary>SaslHandshake (the mechanism) and SaslAuthenticate rounds until the broker accepts the login.</summary>
    private async Task LoginAsync(string mechanism, string username, string password, string broker, CancellationToken cancellationToken)
    {
        var handshake = await SendAsync<SaslHandshakeRequest, SaslHandshakeResponse>(new SaslHandshakeRequest { Mechanism = mechanism }, 1, cancellationToken).ConfigureAwait(false);
        if (handshake.ErrorCode != ErrorCode.None)
        {
            throw new CliException($"Broker {broker} refused SASL {mechanism}: {handshake.ErrorCode} (it offers {string.Join(", ", handshake.Mechanisms)})");
        }

        if (mechanism == "PLAIN")
        {
            await AuthenticateAsync(Encoding.UTF8.GetBytes($"\0{username}\0{password}"), broker, cancellationToken).ConfigureAwait(false);
            return;
        }

        var scram = new ScramClient(ScramMechanism.FromName(mechanism)!, username, password);
        var serverFirst = await AuthenticateAsync(scram.ClientFirst(), broker, cancellationToken).ConfigureAwait(false);
        var serverFinal = await AuthenticateAsync(scram.ClientFinal(serverFirst.Span), broker, cancellationToken).ConfigureAwait(false);
        scram.VerifyServerFinal(serverFinal.Span);
    }

    private async Task<ReadOnlyMemory<byte>> AuthenticateAsync(byte[] token, string broker, CancellationToken cancellationToken)
    {
        var response = await SendAsync<SaslAuthenticateRequest, SaslAuthenticateResponse>(new SaslAuthenticateRequest { AuthBytes = token }, 2, cancellationToken).ConfigureAwait(false);
        return response.ErrorCode == ErrorCode.None
            ? response.AuthBytes
            : throw new CliException($"Broker {broker} refused the login: {response.ErrorCode}{(response.ErrorMessage is { Length: > 0 } message ? $" ({message})" : "")}");
    }

    /// <summary>Sends <paramref name="request"/> at <paramref name="version"/> and reads its response.</summary>
    public async Task<TResponse> SendAsync<TRequest, TResponse>(TRequest request, short version, CancellationToken cancellationToken)
        where TRequest : IKafkaMessage<TRequest>
        where TResponse : IKafkaMessage<TResponse>
    {
        var flexible = version >= TRequest.FirstFlexibleVersion;
        var correlationId = ++_correlationId;
        using (var writer = new KafkaWriter())
        {
            var sizeAt = writer.ReserveInt32();
            writer.WriteInt16((short)TRequest.ApiKey);
            writer.WriteInt16(version);
            writer.WriteInt32(correlationId);
            writer.WriteString("streams-cli");
            writer.Flexible = flexible;
            writer.WriteTaggedFields();
            request.Write(writer, version);
            writer.PatchInt32(sizeAt, writer.Position - 4);
            await _stream.WriteAsync(writer.WrittenMemory, cancellationToken).ConfigureAwait(false);
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(RequestTimeout);
        var prefix = new byte[4];
        await _stream.ReadExactlyAsync(prefix, timeout.Token).ConfigureAwait(false);
        var frame = new byte[BinaryPrimitives.ReadInt32BigEndian(prefix)];
        await _stream.ReadExactlyAsync(frame, timeout.Token).ConfigureAwait(false);
        return Decode<TResponse>(frame, correlationId, flexible, version);
    }

    private static TResponse Decode<TResponse>(byte[] frame, int correlationId, bool flexible, short version)
        where TResponse : IKafkaMessage<TResponse>
    {
        var reader = new KafkaReader(frame, flexible);
        if (reader.ReadInt32() != correlationId)
        {
            throw new CliException("The broker answered another request than the one sent.");
        }

        if (flexible)
        {
            reader.SkipTaggedFields();
        }

        return TResponse.Read(ref reader, version);
    }

    public void Dispose()
    {
        _stream.Dispose();
        _client.Dispose();
    }
}
