using System.Buffers.Binary;
using Snappier;

namespace Streams.Broker.Records;

/// <summary>
/// The snappy-java ("xerial") block framing the Java producer writes: an 8-byte magic, two int32 versions, then
/// chunks of [int32 big-endian length][raw snappy]. librdkafka writes raw snappy instead, so readers must accept both.
/// </summary>
internal static class XerialSnappy
{
    public const int HeaderSize = 16;

    private static ReadOnlySpan<byte> Magic => [0x82, (byte)'S', (byte)'N', (byte)'A', (byte)'P', (byte)'P', (byte)'Y', 0x00];

    public static bool IsFramed(ReadOnlySpan<byte> data) => data.Length >= HeaderSize && data.StartsWith(Magic);

    public static PooledBuffer Decompress(ReadOnlySpan<byte> framed)
    {
        // First pass sizes the output so every chunk decompresses straight into one pooled array.
        long total = 0;
        for (var chunks = framed[HeaderSize..]; !chunks.IsEmpty;)
        {
            var chunk = NextChunk(ref chunks);
            total += Snappy.GetUncompressedLength(chunk);
        }

        if (total > Array.MaxLength)
        {
            throw new InvalidDataException("xerial snappy payload is larger than any buffer.");
        }

        var output = new PooledBuffer((int)total);
        try
        {
            for (var chunks = framed[HeaderSize..]; !chunks.IsEmpty;)
            {
                var chunk = NextChunk(ref chunks);
                output.Advance(Snappy.Decompress(chunk, output.GetSpan(Snappy.GetUncompressedLength(chunk))));
            }

            return output;
        }
        catch
        {
            output.Dispose();
            throw;
        }
    }

    /// <summary>Frames <paramref name="raw"/> as the Java client does; the broker itself writes raw snappy.</summary>
    public static byte[] Compress(ReadOnlySpan<byte> raw, int chunkSize = 32 * 1024)
    {
        using var output = new MemoryStream();
        output.Write(Magic);
        Span<byte> int32 = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(int32, 1);
        output.Write(int32);
        output.Write(int32);
        for (var offset = 0; offset < raw.Length; offset += chunkSize)
        {
            var compressed = Snappy.CompressToArray(raw.Slice(offset, Math.Min(chunkSize, raw.Length - offset)));
            BinaryPrimitives.WriteInt32BigEndian(int32, compressed.Length);
            output.Write(int32);
            output.Write(compressed);
        }

        return output.ToArray();
    }

    private static ReadOnlySpan<byte> NextChunk(ref ReadOnlySpan<byte> chunks)
    {
        if (chunks.Length < 4)
        {
            throw new InvalidDataException("xerial snappy chunk length is truncated.");
        }

        var length = BinaryPrimitives.ReadInt32BigEndian(chunks);
        if (length < 0 || length > chunks.Length - 4)
        {
            throw new InvalidDataException($"xerial snappy chunk of {length} bytes overruns the {chunks.Length - 4} bytes left.");
        }

        var chunk = chunks.Slice(4, length);
        chunks = chunks[(4 + length)..];
        return chunk;
    }
}
