using System.Buffers.Binary;
using Streams.Broker.Protocol;
using Streams.Broker.Records;
using static Streams.Broker.Tests.Records.TestBatches;

namespace Streams.Broker.Tests.Records;

public class RecordBatchValidatorTests
{
    private static readonly BatchValidationOptions Defaults = new(MaxMessageBytes: 1_048_588, RequireKeys: false, AllowZstd: true);

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void Validator_accepts_builder_batches_for_every_codec(byte codecId)
    {
        var codec = (CompressionType)codecId;
        var batch = new RecordBatchBuilder(compression: codec)
            .Add(1_000, Bytes("k1"), Bytes("v1"), [new RecordHeader("trace", Bytes("abc")), new RecordHeader("nil", null)])
            .Add(1_001, Bytes("k2"), null)
            .Add(999, null, Bytes(new string('x', 5_000)))
            .Add(1_002, ReadOnlyMemory<byte>.Empty, ReadOnlyMemory<byte>.Empty)
            .Build();

        var result = RecordBatchValidator.Validate(batch, Defaults);

        Assert.Equal(ErrorCode.None, result.Error);
        Assert.Null(result.Message);
        Assert.Equal(codec, result.Header.Compression);
        Assert.Equal(4, result.Header.RecordsCount);
    }

    [Fact]
    public void Validator_rejects_a_partition_with_no_records()
    {
        Assert.Equal(ErrorCode.InvalidRecord, RecordBatchValidator.Validate([], Defaults).Error);
    }

    [Fact]
    public void Validator_rejects_data_shorter_than_a_header()
    {
        var result = RecordBatchValidator.Validate(SimpleBatch().AsSpan(0, 60), Defaults);
        Assert.Equal(ErrorCode.CorruptMessage, result.Error);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(-1)]
    public void Validator_rejects_batch_with_bad_magic(sbyte magic)
    {
        var batch = SimpleBatch();
        batch[RecordBatchHeader.MagicOffset] = (byte)magic;

        var result = RecordBatchValidator.Validate(batch, Defaults);

        Assert.Equal(ErrorCode.CorruptMessage, result.Error);
        Assert.Contains("magic", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validator_rejects_truncated_batch()
    {
        var batch = SimpleBatch();
        Assert.Equal(ErrorCode.CorruptMessage, RecordBatchValidator.Validate(batch.AsSpan(0, batch.Length - 1), Defaults).Error);
    }

    [Fact]
    public void Validator_rejects_length_smaller_than_the_header()
    {
        var batch = SimpleBatch();
        BinaryPrimitives.WriteInt32BigEndian(batch.AsSpan(RecordBatchHeader.LengthOffset), 10);
        Assert.Equal(ErrorCode.CorruptMessage, RecordBatchValidator.Validate(batch, Defaults).Error);
    }

    [Fact]
    public void Validator_rejects_bytes_after_the_batch()
    {
        var batch = SimpleBatch();
        var twoBatches = batch.Concat(SimpleBatch()).ToArray();

        Assert.Equal(ErrorCode.InvalidRecord, RecordBatchValidator.Validate(twoBatches, Defaults).Error);
        Assert.Equal(ErrorCode.InvalidRecord, RecordBatchValidator.Validate([.. batch, 0], Defaults).Error);
    }

    [Fact]
    public void Validator_rejects_batch_with_bad_crc()
    {
        var batch = SimpleBatch();
        batch[^1] ^= 0xFF;

        var result = RecordBatchValidator.Validate(batch, Defaults);

        Assert.Equal(ErrorCode.CorruptMessage, result.Error);
        Assert.Contains("CRC", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validator_ignores_base_offset_and_leader_epoch_which_the_crc_does_not_cover()
    {
        var batch = SimpleBatch();
        RecordBatchHeader.SetBaseOffset(batch, 12345);
        RecordBatchHeader.SetPartitionLeaderEpoch(batch, 7);
        Assert.Equal(ErrorCode.None, RecordBatchValidator.Validate(batch, Defaults).Error);
    }

    [Fact]
    public void Validator_rejects_batch_larger_than_max_message_bytes()
    {
        var batch = SimpleBatch();

        Assert.Equal(ErrorCode.MessageTooLarge,
            RecordBatchValidator.Validate(batch, Defaults with { MaxMessageBytes = batch.Length - 1 }).Error);
        Assert.Equal(ErrorCode.None,
            RecordBatchValidator.Validate(batch, Defaults with { MaxMessageBytes = batch.Length }).Error);
    }

    [Fact]
    public void Validator_rejects_batch_declaring_zero_records()
    {
        var batch = Assemble([], recordsCount: 0, lastOffsetDelta: -1);
        Assert.Equal(ErrorCode.InvalidRecord, RecordBatchValidator.Validate(batch, Defaults).Error);
    }

    [Fact]
    public void Validator_rejects_records_count_that_disagrees_with_last_offset_delta()
    {
        var records = EncodeRecord(0, Bytes("k"), Bytes("v")).Concat(EncodeRecord(1, Bytes("k"), Bytes("v"))).ToArray();
        var batch = Assemble(records, recordsCount: 2, lastOffsetDelta: 2);
        Assert.Equal(ErrorCode.InvalidRecord, RecordBatchValidator.Validate(batch, Defaults).Error);
    }

    [Fact]
    public void Validator_rejects_batch_holding_fewer_records_than_declared()
    {
        var records = EncodeRecord(0, Bytes("k"), Bytes("v"));
        var batch = Assemble(records, recordsCount: 2, lastOffsetDelta: 1);
        Assert.Equal(ErrorCode.InvalidRecord, RecordBatchValidator.Validate(batch, Defaults).Error);
    }

    [Fact]
    public void Validator_rejects_batch_holding_more_records_than_declared()
    {
        var records = EncodeRecord(0, Bytes("k"), Bytes("v")).Concat(EncodeRecord(1, Bytes("k"), Bytes("v"))).ToArray();
        var batch = Assemble(records, recordsCount: 1, lastOffsetDelta: 0);
        Assert.Equal(ErrorCode.InvalidRecord, RecordBatchValidator.Validate(batch, Defaults).Error);
    }

    [Fact]
    public void Validator_rejects_offset_delta_gap()
    {
        var records = EncodeRecord(0, Bytes("k"), Bytes("v")).Concat(EncodeRecord(2, Bytes("k"), Bytes("v"))).ToArray();
        var batch = Assemble(records, recordsCount: 2, lastOffsetDelta: 1);

        var result = RecordBatchValidator.Validate(batch, Defaults);

        Assert.Equal(ErrorCode.InvalidRecord, result.Error);
        Assert.Contains("offset delta", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validator_rejects_control_batch_from_a_client()
    {
        var batch = new RecordBatchBuilder(producerId: 1, producerEpoch: 0, isTransactional: true, isControl: true)
            .Add(1_000, new byte[] { 0, 0, 0, 1 }, new byte[] { 0, 0, 0, 0, 0, 0 })
            .Build();
        Assert.Equal(ErrorCode.InvalidRecord, RecordBatchValidator.Validate(batch, Defaults).Error);
    }

    [Fact]
    public void Validator_rejects_producer_id_without_base_sequence()
    {
        var batch = new RecordBatchBuilder(producerId: 42, producerEpoch: 0, baseSequence: -1).Add(1_000, Bytes("k"), Bytes("v")).Build();
        Assert.Equal(ErrorCode.InvalidRecord, RecordBatchValidator.Validate(batch, Defaults).Error);
    }

    [Fact]
    public void Validator_accepts_idempotent_batch_with_base_sequence()
    {
        var batch = new RecordBatchBuilder(producerId: 42, producerEpoch: 0, baseSequence: 0).Add(1_000, Bytes("k"), Bytes("v")).Build();
        Assert.Equal(ErrorCode.None, RecordBatchValidator.Validate(batch, Defaults).Error);
    }

    [Fact]
    public void Validator_rejects_zstd_before_produce_v7()
    {
        var batch = SimpleBatch(compression: CompressionType.Zstd);
        Assert.Equal(ErrorCode.UnsupportedCompressionType,
            RecordBatchValidator.Validate(batch, Defaults with { AllowZstd = false }).Error);
    }

    [Theory]
    [InlineData(5)]
    [InlineData(6)]
    [InlineData(7)]
    public void Validator_rejects_unknown_codec(int codec)
    {
        var batch = Assemble(EncodeRecord(0, Bytes("k"), Bytes("v")), 1, 0, (CompressionType)codec);
        Assert.Equal(ErrorCode.CorruptMessage, RecordBatchValidator.Validate(batch, Defaults).Error);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void Validator_rejects_null_key_when_the_topic_is_compacted(byte codecId)
    {
        var codec = (CompressionType)codecId;
        var batch = new RecordBatchBuilder(compression: codec).Add(1_000, Bytes("k"), Bytes("v")).Add(1_001, null, Bytes("v")).Build();
        var compacted = Defaults with { RequireKeys = true };

        var result = RecordBatchValidator.Validate(batch, compacted);

        Assert.Equal(ErrorCode.InvalidRecord, result.Error);
        Assert.Contains("null key", result.Message, StringComparison.Ordinal);
        Assert.Equal(ErrorCode.None, RecordBatchValidator.Validate(SimpleBatch(compression: codec), compacted).Error);
    }

    [Fact]
    public void Validator_accepts_tombstones_on_a_compacted_topic()
    {
        var batch = new RecordBatchBuilder().Add(1_000, Bytes("k"), null).Build();
        Assert.Equal(ErrorCode.None, RecordBatchValidator.Validate(batch, Defaults with { RequireKeys = true }).Error);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void Validator_rejects_garbage_compressed_payload(byte codecId)
    {
        var codec = (CompressionType)codecId;
        var garbage = new byte[200];
        new Random(7).NextBytes(garbage);
        var batch = Assemble(garbage, 3, 2, codec);

        var result = RecordBatchValidator.Validate(batch, Defaults);

        Assert.Equal(ErrorCode.CorruptMessage, result.Error);
        Assert.NotNull(result.Message);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void Validator_rejects_compressed_payload_with_trailing_bytes_after_the_last_record(byte codecId)
    {
        var codec = (CompressionType)codecId;
        var records = EncodeRecord(0, Bytes("k"), Bytes("v")).Append((byte)0).ToArray();
        var batch = Assemble(RecordCompression.Compress(codec, records), 1, 0, codec);
        Assert.Equal(ErrorCode.InvalidRecord, RecordBatchValidator.Validate(batch, Defaults).Error);
    }

    [Fact]
    public void Validator_rejects_record_whose_length_disagrees_with_its_fields()
    {
        var tooLong = EncodeRecord(0, Bytes("k"), Bytes("v"), lengthAdjust: 1).Append((byte)0).ToArray();
        Assert.Equal(ErrorCode.InvalidRecord, RecordBatchValidator.Validate(Assemble(tooLong, 1, 0), Defaults).Error);

        var tooShort = EncodeRecord(0, Bytes("k"), Bytes("v"), lengthAdjust: -1);
        Assert.NotEqual(ErrorCode.None, RecordBatchValidator.Validate(Assemble(tooShort, 1, 0), Defaults).Error);
    }

    [Fact]
    public void Validator_rejects_record_length_running_past_the_batch()
    {
        var record = EncodeRecord(0, Bytes("k"), Bytes("v"), lengthAdjust: 50);
        Assert.Equal(ErrorCode.CorruptMessage, RecordBatchValidator.Validate(Assemble(record, 1, 0), Defaults).Error);
    }

    [Fact]
    public void Validator_rejects_malformed_varint()
    {
        byte[] records = [0x80, 0x80, 0x80, 0x80, 0x80, 0x80];
        Assert.Equal(ErrorCode.CorruptMessage, RecordBatchValidator.Validate(Assemble(records, 1, 0), Defaults).Error);
    }

    [Fact]
    public void Validator_accepts_xerial_framed_snappy_as_the_java_client_writes_it()
    {
        var raw = new RecordBatchBuilder();
        for (var i = 0; i < 500; i++)
        {
            raw.Add(1_000 + i, Bytes($"key-{i}"), Bytes(new string('v', 200)));
        }

        var uncompressed = raw.Build();
        var framed = XerialSnappy.Compress(uncompressed.AsSpan(RecordBatchHeader.RecordsOffset), chunkSize: 4096);
        var batch = Assemble(framed, 500, 499, CompressionType.Snappy);

        Assert.Equal(ErrorCode.None, RecordBatchValidator.Validate(batch, Defaults).Error);
    }

    [Fact]
    public void Validator_allocates_nothing_for_a_valid_uncompressed_batch()
    {
        var batch = SimpleBatch(100);
        RecordBatchValidator.Validate(batch, Defaults);

        var before = GC.GetAllocatedBytesForCurrentThread();
        var result = RecordBatchValidator.Validate(batch, Defaults with { RequireKeys = true });
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(ErrorCode.None, result.Error);
        Assert.Equal(0, allocated);
    }
}
