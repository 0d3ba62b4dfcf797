using System.Buffers.Binary;
using System.Net.Sockets;
using Streams.Broker.Protocol;

namespace Streams.Benchmarks;

/// <summary>
/// Reads a partition with bare Fetch v11 requests and counts records from the batch headers, without decoding
/// them. The .NET consumer spends a few microseconds per message crossing into librdkafka, which caps it well
/// below what a broker can serve; this reader measures the broker's side of consuming.
/// </summary>
internal static class RawFetchReader
{
    public static async Task<long> ReadAsync(string bootstrap, string topic, long from, long to, int maxBytesPerFetch = 1 << 20)
    {
        var colon = bootstrap.LastIndexOf(':');
        using var client = new TcpClient { NoDelay = true };
        await client.ConnectAsync(bootstrap[..colon], int.Parse(bootstrap[(colon + 1)..], System.Globalization.CultureInfo.InvariantCulture)).ConfigureAwait(false);
        var stream = client.GetStream();
        var offset = from;
        long records = 0;
        var prefix = new byte[4];
        var correlation = 0;
        while (offset < to)
        {
            using var request = new KafkaWriter();
            var sizeAt = request.ReserveInt32();
            request.WriteInt16((short)ApiKey.Fetch);
            request.WriteInt16(11);
            request.WriteInt32(++correlation);
            request.WriteString("raw-bench");
            request.WriteInt32(-1);
            request.WriteInt32(500);
            request.WriteInt32(1);
            request.WriteInt32(maxBytesPerFetch);
            request.WriteInt8(1);
            request.WriteInt32(0);
            request.WriteInt32(-1);
            request.WriteArrayLength(1);
            request.WriteString(topic);
            request.WriteArrayLength(1);
            request.WriteInt32(0);
            request.WriteInt32(-1);
            request.WriteInt64(offset);
            request.WriteInt64(-1);
            request.WriteInt32(maxBytesPerFetch);
            request.WriteArrayLength(0);
            request.WriteString("");
            request.PatchInt32(sizeAt, request.Position - 4);
            await stream.WriteAsync(request.WrittenMemory).ConfigureAwait(false);

            await stream.ReadExactlyAsync(prefix).ConfigureAwait(false);
            var frame = new byte[BinaryPrimitives.ReadInt32BigEndian(prefix)];
            await stream.ReadExactlyAsync(frame).ConfigureAwait(false);
            var reader = new KafkaReader(frame, flexible: false);
            reader.ReadInt32(); // correlation id
            reader.ReadInt32();
            reader.ReadInt16();
            reader.ReadInt32();
            reader.ReadArrayLength();
            reader.ReadString();
            reader.ReadArrayLength();
            reader.ReadInt32();
            var error = reader.ReadInt16();
            if (error != 0)
            {
                throw new InvalidOperationException($"fetch error {error}");
            }

            reader.ReadInt64();
            reader.ReadInt64();
            reader.ReadInt64();
            reader.ReadArrayLength();
            reader.ReadInt32();
            var batches = (reader.ReadNullableBytes() ?? ReadOnlyMemory<byte>.Empty).Span;
            while (batches.Length >= 61)
            {
                var baseOffset = BinaryPrimitives.ReadInt64BigEndian(batches);
                var size = BinaryPrimitives.ReadInt32BigEndian(batches[8..]) + 12;
                if (size > batches.Length)
                {
                    break; // a partial batch at the end of the response: fetch it again next time
                }

                var lastOffset = baseOffset + BinaryPrimitives.ReadInt32BigEndian(batches[23..]);
                records += lastOffset + 1 - Math.Max(offset, baseOffset);
                offset = lastOffset + 1;
                batches = batches[size..];
            }
        }

        return records;
    }
}
