using Streams.Broker.Records;
using ZstdSharp;

namespace Streams.Broker.Tests.Records;

public class RecordCompressionTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void Every_codec_round_trips_data_spanning_many_blocks(byte codecId)
    {
        var codec = (CompressionType)codecId;
        var raw = SampleData(300_000);

        using var decompressed = RecordCompression.Decompress(codec, RecordCompression.Compress(codec, raw));

        Assert.True(raw.AsSpan().SequenceEqual(decompressed.Memory.Span));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void Every_codec_round_trips_empty_input(byte codecId)
    {
        var codec = (CompressionType)codecId;
        using var decompressed = RecordCompression.Decompress(codec, RecordCompression.Compress(codec, []));
        Assert.Equal(0, decompressed.Memory.Length);
    }

    [Fact]
    public void Snappy_reader_accepts_xerial_framing_with_many_chunks()
    {
        var raw = SampleData(100_000);
        var framed = XerialSnappy.Compress(raw, chunkSize: 8192);
        Assert.True(XerialSnappy.IsFramed(framed));

        using var decompressed = RecordCompression.Decompress(CompressionType.Snappy, framed);

        Assert.True(raw.AsSpan().SequenceEqual(decompressed.Memory.Span));
    }

    [Fact]
    public void Snappy_reader_rejects_xerial_chunk_that_overruns_the_payload()
    {
        var framed = XerialSnappy.Compress(SampleData(1_000));
        Assert.ThrowsAny<Exception>(() => RecordCompression.Decompress(CompressionType.Snappy, framed.AsSpan(0, framed.Length - 3)).Dispose());
    }

    [Fact]
    public void Zstd_reader_accepts_frames_without_a_content_size()
    {
        var raw = SampleData(50_000);
        using var compressed = new MemoryStream();
        using (var writer = new CompressionStream(compressed, leaveOpen: true))
        {
            // Written in pieces, so the encoder cannot know the total size for the frame header.
            for (var offset = 0; offset < raw.Length; offset += 7_000)
            {
                writer.Write(raw, offset, Math.Min(7_000, raw.Length - offset));
            }
        }

        using var decompressed = RecordCompression.Decompress(CompressionType.Zstd, compressed.ToArray());

        Assert.True(raw.AsSpan().SequenceEqual(decompressed.Memory.Span));
    }

    private static byte[] SampleData(int size)
    {
        var data = new byte[size];
        var random = new Random(1);
        for (var i = 0; i < size; i++)
        {
            // Compressible but not trivial, like real record payloads.
            data[i] = (byte)(i % 97 < 60 ? 'a' + (i % 13) : random.Next(256));
        }

        return data;
    }
}
