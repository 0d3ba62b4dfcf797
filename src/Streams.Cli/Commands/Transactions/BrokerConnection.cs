using System.Buffers.Binary;
using System.Net.Sockets;
using Streams.Broker.Protocol;
using Streams.Cli.Infrastructure;

namespace Streams.Cli.Commands.Transactions;

/// <summary>
/// One plaintext TCP connection to one broker, sending single Kafka requests with the broker project's message codecs.
/// For the transaction APIs Confluent.Kafka's AdminClient lacks (ListTransactions, DescribeTransactions,
/// DescribeProducers, WriteTxnMarkers); it does not negotiate versions (the versions used are served by Kafka 3.x-4.x
/// and the embedded broker) and speaks neither TLS nor SASL.
/// </summary>
internal sealed class BrokerConnection : IDisposable
{
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(30);
    private readonly TcpClient _client;
    private readonly NetworkStream _stream;
    private int _correlationId;

    private BrokerConnection(TcpClient client)
    {
        _client = client;
        _stream = client.GetStream();
    }

    public static async Task<BrokerConnection> ConnectAsync(string host, int port, CancellationToken cancellationToken)
    {
        var client = new TcpClient { NoDelay = true };
        try
        {
            await client.ConnectAsync(host, port, cancellationToken).ConfigureAwait(false);
        }
        catch (SocketException e)
        {
            client.Dispose();
            throw new CliException($"Could not connect to broker {host}:{port}: {e.Message}");
        }

        return new BrokerConnection(client);
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
