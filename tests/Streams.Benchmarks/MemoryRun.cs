using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Confluent.Kafka;
using Confluent.Kafka.Admin;

namespace Streams.Benchmarks;

/// <summary>
/// What partitions and idle connections cost the broker in resident memory: the broker process's RSS after start,
/// after creating one topic of <c>partitions</c> partitions, and after opening <c>connections</c> connections that
/// each had one ApiVersions answered and then stay idle. The differences divided by the counts are the marginal
/// cost of a partition and of a connection (the GC's heap growth included, as a user would see it).
/// </summary>
internal static class MemoryRun
{
    public sealed record Result(long StartRss, long PartitionsRss, long ConnectionsRss, int Partitions, int Connections)
    {
        public double BytesPerPartition => (double)(PartitionsRss - StartRss) / Partitions;

        public double BytesPerConnection => (double)(ConnectionsRss - PartitionsRss) / Connections;
    }

    public static async Task<Result> RunAsync(int partitions, int connections)
    {
        await using var broker = await BrokerProcess.StartAsync([]).ConfigureAwait(false);
        var port = int.Parse(broker.BootstrapServers[(broker.BootstrapServers.LastIndexOf(':') + 1)..], System.Globalization.CultureInfo.InvariantCulture);

        // Warm the request path once, so the first figure already includes the code every later step runs.
        using (var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = broker.BootstrapServers }).Build())
        {
            await admin.CreateTopicsAsync([new TopicSpecification { Name = "warm-up", NumPartitions = 1, ReplicationFactor = 1 }]).ConfigureAwait(false);
            var startRss = await SettledRssAsync(broker).ConfigureAwait(false);
            await admin.CreateTopicsAsync([new TopicSpecification { Name = "many", NumPartitions = partitions, ReplicationFactor = 1 }]).ConfigureAwait(false);
            admin.GetMetadata("many", TimeSpan.FromSeconds(30));
            var partitionsRss = await SettledRssAsync(broker).ConfigureAwait(false);

            var sockets = new List<Socket>(connections);
            try
            {
                for (var i = 0; i < connections; i++)
                {
                    sockets.Add(await OpenAnsweredAsync(port).ConfigureAwait(false));
                }

                var connectionsRss = await SettledRssAsync(broker).ConfigureAwait(false);
                return new Result(startRss, partitionsRss, connectionsRss, partitions, connections);
            }
            finally
            {
                foreach (var socket in sockets)
                {
                    socket.Dispose();
                }
            }
        }
    }

    /// <summary>RSS once it stops changing (three samples 300 ms apart within 1 %), or the last sample after 5 s.</summary>
    private static async Task<long> SettledRssAsync(BrokerProcess broker)
    {
        var previous = broker.Sample().RssBytes;
        for (var i = 0; i < 16; i++)
        {
            await Task.Delay(300).ConfigureAwait(false);
            var now = broker.Sample().RssBytes;
            if (Math.Abs(now - previous) < previous / 100)
            {
                return now;
            }

            previous = now;
        }

        return previous;
    }

    /// <summary>A connection that had one ApiVersions v0 request answered, so the broker holds its full per-connection state.</summary>
    private static async Task<Socket> OpenAnsweredAsync(int port)
    {
        byte[] request = [0, 0, 0, 10, 0, 18, 0, 0, 0, 0, 0, 1, 0xFF, 0xFF];
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(IPAddress.Loopback, port).ConfigureAwait(false);
        await socket.SendAsync(request).ConfigureAwait(false);
        var size = new byte[4];
        await ReceiveExactlyAsync(socket, size).ConfigureAwait(false);
        await ReceiveExactlyAsync(socket, new byte[BinaryPrimitives.ReadInt32BigEndian(size)]).ConfigureAwait(false);
        return socket;
    }

    private static async Task ReceiveExactlyAsync(Socket socket, Memory<byte> buffer)
    {
        var read = 0;
        while (read < buffer.Length)
        {
            var n = await socket.ReceiveAsync(buffer[read..]).ConfigureAwait(false);
            if (n == 0)
            {
                throw new IOException("the broker closed the connection");
            }

            read += n;
        }
    }
}
