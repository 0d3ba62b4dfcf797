using Streams.Broker.Records;
using static Streams.Broker.Tests.Records.TestBatches;

namespace Streams.Broker.Tests.Records;

public class RecordBatchHeaderTests
{
    [Fact]
    public void Header_reads_every_field_the_builder_wrote()
    {
        var batch = new RecordBatchBuilder(baseOffset: 100, producerId: 7, producerEpoch: 3, baseSequence: 20,
                isTransactional: true, compression: CompressionType.Lz4)
            .Add(5_000, Bytes("a"), Bytes("1"))
            .Add(5_010, Bytes("b"), Bytes("2"))
            .Add(4_990, Bytes("c"), Bytes("3"))
            .Build();

        var header = RecordBatchHeader.Read(batch);

        Assert.Equal(100, header.BaseOffset);
        Assert.Equal(batch.Length, header.TotalSize);
        Assert.Equal(2, header.Magic);
        Assert.Equal(2, header.LastOffsetDelta);
        Assert.Equal(102, header.LastOffset);
        Assert.Equal(5_000, header.BaseTimestamp);
        Assert.Equal(5_010, header.MaxTimestamp);
        Assert.Equal(7, header.ProducerId);
        Assert.True(header.HasProducerId);
        Assert.Equal(3, header.ProducerEpoch);
        Assert.Equal(20, header.BaseSequence);
        Assert.Equal(22, header.LastSequence);
        Assert.Equal(3, header.RecordsCount);
        Assert.Equal(CompressionType.Lz4, header.Compression);
        Assert.True(header.IsTransactional);
        Assert.False(header.IsControl);
        Assert.False(header.IsLogAppendTime);
        Assert.Equal(RecordBatchHeader.ComputeCrc(batch), header.Crc);
    }

    [Fact]
    public void Last_sequence_wraps_past_int_max_to_zero()
    {
        var builder = new RecordBatchBuilder(producerId: 1, producerEpoch: 0, baseSequence: int.MaxValue - 1);
        for (var i = 0; i < 4; i++)
        {
            builder.Add(1_000, Bytes("k"), Bytes("v"));
        }

        Assert.Equal(1, RecordBatchHeader.Read(builder.Build()).LastSequence);
    }

    [Fact]
    public void SetLogAppendTime_keeps_the_crc_valid()
    {
        var batch = SimpleBatch(compression: CompressionType.Gzip);

        RecordBatchHeader.SetLogAppendTime(batch, 99_999);

        var header = RecordBatchHeader.Read(batch);
        Assert.True(header.IsLogAppendTime);
        Assert.Equal(CompressionType.Gzip, header.Compression);
        Assert.Equal(99_999, header.MaxTimestamp);
        Assert.Equal(RecordBatchHeader.ComputeCrc(batch), header.Crc);
    }

    [Fact]
    public void Offset_and_leader_epoch_rewrites_leave_the_crc_untouched()
    {
        var batch = SimpleBatch();
        var crc = RecordBatchHeader.Read(batch).Crc;

        RecordBatchHeader.SetBaseOffset(batch, 1L << 40);
        RecordBatchHeader.SetPartitionLeaderEpoch(batch, 0);

        var header = RecordBatchHeader.Read(batch);
        Assert.Equal(1L << 40, header.BaseOffset);
        Assert.Equal(0, header.PartitionLeaderEpoch);
        Assert.Equal(crc, header.Crc);
        Assert.Equal(crc, RecordBatchHeader.ComputeCrc(batch));
    }

    [Fact]
    public void Crc_covers_only_the_batch_even_when_the_span_runs_on()
    {
        var batch = SimpleBatch();
        byte[] withNextBatch = [.. batch, .. SimpleBatch(5)];
        Assert.Equal(RecordBatchHeader.ComputeCrc(batch), RecordBatchHeader.ComputeCrc(withNextBatch));
    }

    [Fact]
    public void Read_refuses_fewer_than_61_bytes()
    {
        Assert.Throws<ArgumentException>(() => RecordBatchHeader.Read(new byte[60]));
    }
}
