using System.Buffers;
using System.IO.Compression;
using K4os.Compression.LZ4.Streams;
using Snappier;
using ZstdSharp;

namespace Streams.Broker.Records;

/// <summary>
/// The four Kafka codecs, each in the framing clients write: gzip (RFC 1952), snappy (raw or xerial-framed),
/// LZ4 frame format, zstd frame. Decompression lands in a pooled buffer the caller disposes.
/// </summary>
internal static class RecordCompression
{
    /// <exception cref="InvalidDataException">Usually, for malformed input; codecs may throw other exception types too.</exception>
    public static PooledBuffer Decompress(CompressionType type, ReadOnlySpan<byte> compressed) => type switch
    {
        CompressionType.Gzip => DecompressStream(compressed, static input => new GZipStream(input, CompressionMode.Decompress)),
        CompressionType.Snappy => DecompressSnappy(compressed),
        CompressionType.Lz4 => DecompressLz4(compressed),
        CompressionType.Zstd => DecompressStream(compressed, static input => new DecompressionStream(input)),
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "Not a compression codec."),
    };

    public static byte[] Compress(CompressionType type, ReadOnlySpan<byte> raw)
    {
        switch (type)
        {
            case CompressionType.Gzip:
            {
                using var output = new MemoryStream();
                using (var gzip = new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true))
                {
                    gzip.Write(raw);
                }

                return output.ToArray();
            }

            case CompressionType.Snappy:
                // Raw snappy, as librdkafka writes; every client reads it.
                return Snappy.CompressToArray(raw);

            case CompressionType.Lz4:
            {
                var output = new ArrayBufferWriter<byte>(Math.Max(raw.Length / 2, 64));
                // Independent blocks: Kafka's Java LZ4 reader rejects frames with chained blocks.
                LZ4Frame.Encode(raw, output, new LZ4EncoderSettings { ChainBlocks = false });
                return output.WrittenSpan.ToArray();
            }

            case CompressionType.Zstd:
            {
                using var compressor = new Compressor();
                return compressor.Wrap(raw).ToArray();
            }

            default:
                throw new ArgumentOutOfRangeException(nameof(type), type, "Not a compression codec.");
        }
    }

    private static PooledBuffer DecompressSnappy(ReadOnlySpan<byte> compressed)
    {
        if (XerialSnappy.IsFramed(compressed))
        {
            return XerialSnappy.Decompress(compressed);
        }

        var length = Snappy.GetUncompressedLength(compressed);
        if (length > PooledBuffer.MaxCapacity)
        {
            throw new InvalidDataException($"Snappy block claims {length} bytes, more than {PooledBuffer.MaxCapacity}.");
        }

        var output = new PooledBuffer(length);
        try
        {
            output.Advance(Snappy.Decompress(compressed, output.GetSpan(length)));
            return output;
        }
        catch
        {
            output.Dispose();
            throw;
        }
    }

    private static PooledBuffer DecompressLz4(ReadOnlySpan<byte> compressed)
    {
        var output = new PooledBuffer(compressed.Length * 4);
        try
        {
            LZ4Frame.Decode(compressed, output);
            return output;
        }
        catch
        {
            output.Dispose();
            throw;
        }
    }

    /// <summary>For codecs that only offer a stream decoder (gzip, and zstd frames that omit their content size).</summary>
    private static PooledBuffer DecompressStream(ReadOnlySpan<byte> compressed, Func<Stream, Stream> open)
    {
        var input = ArrayPool<byte>.Shared.Rent(compressed.Length);
        var output = new PooledBuffer(compressed.Length * 4);
        try
        {
            compressed.CopyTo(input);
            using var source = new MemoryStream(input, 0, compressed.Length, writable: false);
            using var decoder = open(source);
            output.ReadToEnd(decoder);
            return output;
        }
        catch
        {
            output.Dispose();
            throw;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(input);
        }
    }
}
