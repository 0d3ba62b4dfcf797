using System.Buffers.Binary;
using System.Net.Sockets;
using System.Text;
using Confluent.Kafka;

namespace Streams.KafkaConsole.Sampling;

/// <summary>
/// Partition sizes on disk from DescribeLogDirs (API 35, v1), which Confluent.Kafka's AdminClient does not offer: one
/// plaintext request per broker, hand-encoded (v1 is small and not flexible). Over TLS or SASL, or when a broker
/// refuses (the principal lacks Describe on the cluster), sizes are unknown and the pages say so rather than guess.
/// </summary>
internal static class LogDirSizes
{
    private const short ApiKey = 35;
    private const short Version = 1;
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    /// <summary>Bytes per partition (the largest replica's, so replicas are not counted twice); partitions no broker reported are missing.</summary>
    public static async Task<Dictionary<TopicPartition, long>> ReadAsync(IEnumerable<BrokerMetadata> brokers, CancellationToken cancellationToken)
    {
        var answers = await Task.WhenAll(brokers.Select(b => AskAsync(b.Host, b.Port, cancellationToken))).ConfigureAwait(false);
        var sizes = new Dictionary<TopicPartition, long>();
        foreach (var (partition, size) in answers.SelectMany(a => a))
        {
            sizes[partition] = Math.Max(size, sizes.GetValueOrDefault(partition));
        }

        return sizes;
    }

    private static async Task<List<(TopicPartition Partition, long Size)>> AskAsync(string host, int port, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Timeout);
        try
        {
            using var client = new TcpClient { NoDelay = true };
            await client.ConnectAsync(host, port, timeout.Token).ConfigureAwait(false);
            var stream = client.GetStream();
            await stream.WriteAsync(Request(), timeout.Token).ConfigureAwait(false);
            var prefix = new byte[4];
            await stream.ReadExactlyAsync(prefix, timeout.Token).ConfigureAwait(false);
            var frame = new byte[BinaryPrimitives.ReadInt32BigEndian(prefix)];
            await stream.ReadExactlyAsync(frame, timeout.Token).ConfigureAwait(false);
            return Read(frame);
        }
        catch (Exception e) when (e is SocketException or IOException or OperationCanceledException or ArgumentOutOfRangeException or OverflowException)
        {
            // Unreachable, slow, or an answer cut short: this broker's sizes are unknown this time.
            return [];
        }
    }

    private static byte[] Request()
    {
        var clientId = "streams-console/log-dirs"u8;
        var body = new byte[2 + 2 + 4 + 2 + clientId.Length + 4];
        var span = body.AsSpan();
        BinaryPrimitives.WriteInt16BigEndian(span, ApiKey);
        BinaryPrimitives.WriteInt16BigEndian(span[2..], Version);
        BinaryPrimitives.WriteInt32BigEndian(span[4..], 1);
        BinaryPrimitives.WriteInt16BigEndian(span[8..], (short)clientId.Length);
        clientId.CopyTo(span[10..]);
        // Topics: a null array asks for every partition.
        BinaryPrimitives.WriteInt32BigEndian(span[(10 + clientId.Length)..], -1);
        var frame = new byte[4 + body.Length];
        BinaryPrimitives.WriteInt32BigEndian(frame, body.Length);
        body.CopyTo(frame, 4);
        return frame;
    }

    private static List<(TopicPartition, long)> Read(byte[] frame)
    {
        var sizes = new List<(TopicPartition, long)>();
        var at = 4 + 4; // correlation id, throttle time
        var results = Int32(frame, ref at);
        for (var r = 0; r < results; r++)
        {
            var error = Int16(frame, ref at);
            String(frame, ref at);
            var topics = Int32(frame, ref at);
            for (var t = 0; t < topics; t++)
            {
                var topic = String(frame, ref at);
                var partitions = Int32(frame, ref at);
                for (var p = 0; p < partitions; p++)
                {
                    var index = Int32(frame, ref at);
                    var size = Int64(frame, ref at);
                    at += 8; // offset lag
                    var future = frame[at++] != 0;
                    if (error == 0 && !future)
                    {
                        sizes.Add((new TopicPartition(topic, index), size));
                    }
                }
            }
        }

        return sizes;
    }

    private static short Int16(byte[] frame, ref int at)
    {
        var value = BinaryPrimitives.ReadInt16BigEndian(frame.AsSpan(at));
        at += 2;
        return value;
    }

    private static int Int32(byte[] frame, ref int at)
    {
        var value = BinaryPrimitives.ReadInt32BigEndian(frame.AsSpan(at));
        at += 4;
        return value;
    }

    private static long Int64(byte[] frame, ref int at)
    {
        var value = BinaryPrimitives.ReadInt64BigEndian(frame.AsSpan(at));
        at += 8;
        return value;
    }

    private static string String(byte[] frame, ref int at)
    {
        var length = Int16(frame, ref at);
        var value = length < 0 ? "" : Encoding.UTF8.GetString(frame, at, length);
        at += Math.Max(0, (int)length);
        return value;
    }
}
