using System.Buffers.Binary;

namespace Streams.Broker.Records;

/// <summary>
/// The 61-byte header of a magic-2 record batch (Kafka's <c>DefaultRecordBatch</c>), all fields big-endian.
/// The static mutators edit raw batch bytes in place, which is how the broker stamps a batch on append.
/// </summary>
internal readonly struct RecordBatchHeader
{
    public const int Size = 61;

    public const int BaseOffsetOffset = 0;
    public const int LengthOffset = 8;
    public const int PartitionLeaderEpochOffset = 12;
    public const int MagicOffset = 16;
    public const int CrcOffset = 17;
    public const int AttributesOffset = 21;
    public const int LastOffsetDeltaOffset = 23;
    public const int BaseTimestampOffset = 27;
    public const int MaxTimestampOffset = 35;
    public const int ProducerIdOffset = 43;
    public const int ProducerEpochOffset = 51;
    public const int BaseSequenceOffset = 53;
    public const int RecordsCountOffset = 57;
    public const int RecordsOffset = Size;

    /// <summary>BaseOffset plus Length: the bytes not counted by Length.</summary>
    public const int LogOverhead = 12;

    public const sbyte CurrentMagic = 2;

    public const short CompressionCodecMask = 0x07;
    public const short TimestampTypeMask = 0x08;
    public const short TransactionalFlagMask = 0x10;
    public const short ControlFlagMask = 0x20;

    public long BaseOffset { get; init; }

    /// <summary>Bytes that follow the Length field.</summary>
    public int Length { get; init; }

    public int PartitionLeaderEpoch { get; init; }
    public sbyte Magic { get; init; }
    public uint Crc { get; init; }
    public short Attributes { get; init; }
    public int LastOffsetDelta { get; init; }
    public long BaseTimestamp { get; init; }
    public long MaxTimestamp { get; init; }
    public long ProducerId { get; init; }
    public short ProducerEpoch { get; init; }
    public int BaseSequence { get; init; }
    public int RecordsCount { get; init; }

    public int TotalSize => Length + LogOverhead;
    public long LastOffset => BaseOffset + LastOffsetDelta;
    public CompressionType Compression => (CompressionType)(Attributes & CompressionCodecMask);
    public bool IsTransactional => (Attributes & TransactionalFlagMask) != 0;
    public bool IsControl => (Attributes & ControlFlagMask) != 0;
    public bool IsLogAppendTime => (Attributes & TimestampTypeMask) != 0;
    public bool HasProducerId => ProducerId >= 0;

    /// <summary>Sequence of the last record; sequences wrap from int.MaxValue to 0 as in Kafka's <c>incrementSequence</c>.</summary>
    public int LastSequence
    {
        get
        {
            if (BaseSequence < 0)
            {
                return BaseSequence;
            }

            return BaseSequence > int.MaxValue - LastOffsetDelta
                ? LastOffsetDelta - (int.MaxValue - BaseSequence) - 1
                : BaseSequence + LastOffsetDelta;
        }
    }

    public static RecordBatchHeader Read(ReadOnlySpan<byte> batch)
    {
        if (batch.Length < Size)
        {
            throw new ArgumentException($"A record batch header needs {Size} bytes, got {batch.Length}.", nameof(batch));
        }

        return new RecordBatchHeader
        {
            BaseOffset = BinaryPrimitives.ReadInt64BigEndian(batch[BaseOffsetOffset..]),
            Length = BinaryPrimitives.ReadInt32BigEndian(batch[LengthOffset..]),
            PartitionLeaderEpoch = BinaryPrimitives.ReadInt32BigEndian(batch[PartitionLeaderEpochOffset..]),
            Magic = (sbyte)batch[MagicOffset],
            Crc = BinaryPrimitives.ReadUInt32BigEndian(batch[CrcOffset..]),
            Attributes = BinaryPrimitives.ReadInt16BigEndian(batch[AttributesOffset..]),
            LastOffsetDelta = BinaryPrimitives.ReadInt32BigEndian(batch[LastOffsetDeltaOffset..]),
            BaseTimestamp = BinaryPrimitives.ReadInt64BigEndian(batch[BaseTimestampOffset..]),
            MaxTimestamp = BinaryPrimitives.ReadInt64BigEndian(batch[MaxTimestampOffset..]),
            ProducerId = BinaryPrimitives.ReadInt64BigEndian(batch[ProducerIdOffset..]),
            ProducerEpoch = BinaryPrimitives.ReadInt16BigEndian(batch[ProducerEpochOffset..]),
            BaseSequence = BinaryPrimitives.ReadInt32BigEndian(batch[BaseSequenceOffset..]),
            RecordsCount = BinaryPrimitives.ReadInt32BigEndian(batch[RecordsCountOffset..]),
        };
    }

    /// <summary>Outside the CRC, so the client's checksum stays valid.</summary>
    public static void SetBaseOffset(Span<byte> batch, long baseOffset) =>
        BinaryPrimitives.WriteInt64BigEndian(batch[BaseOffsetOffset..], baseOffset);

    /// <summary>Outside the CRC, so the client's checksum stays valid.</summary>
    public static void SetPartitionLeaderEpoch(Span<byte> batch, int epoch) =>
        BinaryPrimitives.WriteInt32BigEndian(batch[PartitionLeaderEpochOffset..], epoch);

    /// <summary>
    /// Stamps the batch for a LogAppendTime topic: consumers then take MaxTimestamp as every record's timestamp.
    /// Attributes and MaxTimestamp are inside the CRC, so it is recomputed.
    /// </summary>
    public static void SetLogAppendTime(Span<byte> batch, long timestampMs)
    {
        var attributes = BinaryPrimitives.ReadInt16BigEndian(batch[AttributesOffset..]);
        BinaryPrimitives.WriteInt16BigEndian(batch[AttributesOffset..], (short)(attributes | TimestampTypeMask));
        BinaryPrimitives.WriteInt64BigEndian(batch[MaxTimestampOffset..], timestampMs);
        BinaryPrimitives.WriteUInt32BigEndian(batch[CrcOffset..], ComputeCrc(batch));
    }

    /// <summary>
    /// CRC-32C of Attributes through the last record, bounded by the batch's own Length so a span that runs on into
    /// the next batch of a log segment still checksums only this one.
    /// </summary>
    public static uint ComputeCrc(ReadOnlySpan<byte> batch)
    {
        if (batch.Length < Size)
        {
            throw new ArgumentException($"A record batch needs at least {Size} bytes, got {batch.Length}.", nameof(batch));
        }

        var totalSize = (long)BinaryPrimitives.ReadInt32BigEndian(batch[LengthOffset..]) + LogOverhead;
        if (totalSize < Size || totalSize > batch.Length)
        {
            throw new ArgumentException($"Batch Length says {totalSize} bytes but the span holds {batch.Length}.", nameof(batch));
        }

        return Crc32C.Compute(batch[AttributesOffset..(int)totalSize]);
    }
}
