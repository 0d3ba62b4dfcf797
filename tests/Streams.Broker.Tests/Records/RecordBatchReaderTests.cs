using Streams.Broker.Records;
using static Streams.Broker.Tests.Records.TestBatches;

namespace Streams.Broker.Tests.Records;

public class RecordBatchReaderTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void ReadRecords_decodes_absolute_offsets_timestamps_keys_values_and_headers(byte codecId)
    {
        var codec = (CompressionType)codecId;
        var batch = new RecordBatchBuilder(compression: codec)
            .Add(2_000, Bytes("k0"), Bytes("v0"), [new RecordHeader("h", Bytes("x")), new RecordHeader("empty", null)])
            .Add(1_990, null, Bytes("v1"))
            .Add(2_050, Bytes("k2"), null)
            .Build();
        RecordBatchHeader.SetBaseOffset(batch, 500);

        var records = RecordBatchReader.ReadRecords(batch);

        Assert.Equal([500L, 501L, 502L], records.Select(r => r.Offset));
        Assert.Equal([2_000L, 1_990L, 2_050L], records.Select(r => r.Timestamp));
        Assert.Equal("k0"u8.ToArray(), records[0].Key!.Value.ToArray());
        Assert.Equal("v0"u8.ToArray(), records[0].Value!.Value.ToArray());
        Assert.Equal(2, records[0].Headers.Count);
        Assert.Equal("h", records[0].Headers[0].Key);
        Assert.Equal("x"u8.ToArray(), records[0].Headers[0].Value!.Value.ToArray());
        Assert.Null(records[0].Headers[1].Value);
        Assert.Null(records[1].Key);
        Assert.Empty(records[1].Headers);
        Assert.Null(records[2].Value);
    }

    [Fact]
    public void ReadRecords_keeps_empty_distinct_from_null()
    {
        var batch = new RecordBatchBuilder().Add(1, ReadOnlyMemory<byte>.Empty, ReadOnlyMemory<byte>.Empty).Build();

        var record = Assert.Single(RecordBatchReader.ReadRecords(batch));

        Assert.Equal(0, record.Key!.Value.Length);
        Assert.Equal(0, record.Value!.Value.Length);
    }

    [Fact]
    public void ReadRecords_gives_every_record_the_append_time_in_log_append_time_batches()
    {
        var batch = SimpleBatch(3);
        RecordBatchHeader.SetLogAppendTime(batch, 77_000);

        Assert.All(RecordBatchReader.ReadRecords(batch), r => Assert.Equal(77_000, r.Timestamp));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void FirstOffsetAtOrAfterTimestamp_finds_the_first_record_not_older_than_the_target(byte codecId)
    {
        var codec = (CompressionType)codecId;
        var batch = new RecordBatchBuilder(baseOffset: 10, compression: codec)
            .Add(100, Bytes("a"), Bytes("a"))
            .Add(300, Bytes("b"), Bytes("b"))
            .Add(200, Bytes("c"), Bytes("c"))
            .Add(300, Bytes("d"), Bytes("d"))
            .Build();

        Assert.Equal(10, RecordBatchReader.FirstOffsetAtOrAfterTimestamp(batch, 50, out var ts));
        Assert.Equal(100, ts);
        Assert.Equal(11, RecordBatchReader.FirstOffsetAtOrAfterTimestamp(batch, 150, out ts));
        Assert.Equal(300, ts);
        Assert.Equal(11, RecordBatchReader.FirstOffsetAtOrAfterTimestamp(batch, 300, out _));
        Assert.Equal(-1, RecordBatchReader.FirstOffsetAtOrAfterTimestamp(batch, 301, out ts));
        Assert.Equal(-1, ts);
    }

    [Fact]
    public void FirstOffsetAtOrAfterTimestamp_uses_the_append_time_for_log_append_time_batches()
    {
        var batch = SimpleBatch(3);
        RecordBatchHeader.SetBaseOffset(batch, 40);
        RecordBatchHeader.SetLogAppendTime(batch, 9_000);

        Assert.Equal(40, RecordBatchReader.FirstOffsetAtOrAfterTimestamp(batch, 9_000, out var ts));
        Assert.Equal(9_000, ts);
        Assert.Equal(-1, RecordBatchReader.FirstOffsetAtOrAfterTimestamp(batch, 9_001, out _));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void MaxTimestampRecord_returns_the_first_record_carrying_the_largest_timestamp(byte codecId)
    {
        var codec = (CompressionType)codecId;
        var batch = new RecordBatchBuilder(baseOffset: 10, compression: codec)
            .Add(100, Bytes("a"), Bytes("a"))
            .Add(300, Bytes("b"), Bytes("b"))
            .Add(200, Bytes("c"), Bytes("c"))
            .Add(300, Bytes("d"), Bytes("d"))
            .Build();

        Assert.Equal((11L, 300L), RecordBatchReader.MaxTimestampRecord(batch));
    }

    [Fact]
    public void MaxTimestampRecord_returns_the_base_offset_for_log_append_time_batches()
    {
        var batch = SimpleBatch(3);
        RecordBatchHeader.SetBaseOffset(batch, 40);
        RecordBatchHeader.SetLogAppendTime(batch, 9_000);

        Assert.Equal((40L, 9_000L), RecordBatchReader.MaxTimestampRecord(batch));
    }

    [Fact]
    public void ReadRecords_reports_a_malformed_stored_batch()
    {
        var batch = Assemble([0x80, 0x80, 0x80, 0x80, 0x80, 0x80], 1, 0);
        Assert.Throws<InvalidDataException>(() => RecordBatchReader.ReadRecords(batch));
    }
}
