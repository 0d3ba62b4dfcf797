using System.Buffers.Binary;
using Streams.Broker.Protocol;
using Streams.Broker.Records;

namespace Streams.Broker.Tests.Records;

public class DecompressionBombTests
{
    [Fact]
    public void Validator_refuses_a_tiny_batch_that_inflates_past_the_decompression_limit()
    {
        using var compressed = new MemoryStream();
        using (var zstd = new ZstdSharp.CompressionStream(compressed, 1, leaveOpen: true))
        {
            var zeros = new byte[1 << 20];
            for (var i = 0; i < (PooledBuffer.MaxCapacity >> 20) + 16; i++)
            {
                zstd.Write(zeros);
            }
        }

        var template = new RecordBatchBuilder(compression: CompressionType.Zstd).Add(0, null, new byte[] { 1 }).Build();
        var batch = new byte[RecordBatchHeader.Size + compressed.Length];
        template.AsSpan(0, RecordBatchHeader.Size).CopyTo(batch);
        compressed.ToArray().CopyTo(batch, RecordBatchHeader.Size);
        BinaryPrimitives.WriteInt32BigEndian(batch.AsSpan(RecordBatchHeader.LengthOffset), batch.Length - RecordBatchHeader.LogOverhead);
        BinaryPrimitives.WriteUInt32BigEndian(batch.AsSpan(RecordBatchHeader.CrcOffset), RecordBatchHeader.ComputeCrc(batch));

        var result = RecordBatchValidator.Validate(batch, new BatchValidationOptions(int.MaxValue, RequireKeys: false, AllowZstd: true));

        Assert.True(compressed.Length < 100_000, $"the bomb should be small, it is {compressed.Length} bytes");
        Assert.Equal(ErrorCode.CorruptMessage, result.Error);
        Assert.Contains("MiB", result.Message);
    }
}
