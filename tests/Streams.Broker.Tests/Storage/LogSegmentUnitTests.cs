using System.Buffers.Binary;
using Streams.Broker.Records;
using Streams.Broker.Storage;

namespace Streams.Broker.Tests.Storage;

/// <summary>One segment file with its in-memory indexes.</summary>
public sealed class LogSegmentUnitTests : IDisposable
{
    private const long Base = 100;
    private const long CreatedAtMs = 1_000_000;
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    private LogSegment NewSegment() => LogSegment.Create(_directory.Path, Base, CreatedAtMs);

    private static RecordBatchHeader Append(LogSegment segment, long timestamp, int records = 2, int indexIntervalBytes = 0)
    {
        var batch = StorageBatches.Build(segment.NextOffset, timestamp, records);
        var header = RecordBatchHeader.Read(batch);
        segment.Append(batch, header, indexIntervalBytes);
        return header;
    }

    private string LogFile => LogSegment.FilePath(_directory.Path, Base, ".log");

    [Fact]
    public void A_new_segment_is_empty_and_rolls_by_its_creation_time()
    {
        using var segment = NewSegment();

        Assert.True(segment.IsEmpty);
        Assert.Equal(Base, segment.NextOffset);
        Assert.Equal(-1, segment.LargestTimestamp);
        Assert.Equal(CreatedAtMs, segment.RollingTimestamp);
        Assert.Equal("00000000000000000100.log", Path.GetFileName(LogFile));
    }

    [Fact]
    public void Appends_track_size_next_offset_and_largest_timestamp()
    {
        using var segment = NewSegment();

        var first = Append(segment, timestamp: 5_000);
        var second = Append(segment, timestamp: 4_000);

        Assert.Equal(first.TotalSize + second.TotalSize, segment.Size);
        Assert.Equal(Base + 4, segment.NextOffset);
        Assert.Equal(5_001, segment.LargestTimestamp);
        Assert.Equal(5_001, segment.RollingTimestamp);
    }

    [Fact]
    public void FindBatch_returns_the_batch_holding_an_offset_inside_it()
    {
        using var segment = NewSegment();
        var first = Append(segment, 1_000);
        Append(segment, 2_000);
        Append(segment, 3_000);

        var found = segment.FindBatch(Base + 3, segment.Size);

        Assert.NotNull(found);
        Assert.Equal(first.TotalSize, found.Value.Position);
        Assert.Equal(Base + 2, found.Value.Header.BaseOffset);
    }

    [Fact]
    public void FindBatch_below_the_base_offset_returns_the_first_batch_and_past_the_end_nothing()
    {
        using var segment = NewSegment();
        Append(segment, 1_000);

        Assert.Equal(Base, segment.FindBatch(0, segment.Size)?.Header.BaseOffset);
        Assert.Null(segment.FindBatch(Base + 2, segment.Size));
    }

    [Fact]
    public void FindBatch_does_not_look_past_the_size_limit()
    {
        using var segment = NewSegment();
        var first = Append(segment, 1_000);
        Append(segment, 2_000);

        Assert.Null(segment.FindBatch(Base + 2, first.TotalSize));
    }

    [Fact]
    public void FindBatch_walks_forward_from_a_sparse_index_entry()
    {
        using var segment = NewSegment();
        var interval = 2 * StorageBatches.SizeOf(records: 2);
        var positions = new List<long>();
        for (var i = 0; i < 6; i++)
        {
            positions.Add(segment.Size);
            Append(segment, 1_000 * i, indexIntervalBytes: interval);
        }

        for (var i = 0; i < 6; i++)
        {
            Assert.Equal(positions[i], segment.FindBatch(Base + (2 * i) + 1, segment.Size)?.Position);
        }
    }

    [Fact]
    public void FindBatch_walks_many_small_batches_past_one_read_of_headers()
    {
        // One index entry for the whole segment (interval 1 MB) and ~60 KB of batches of varying sizes: the walk
        // reads headers in chunks, and headers straddle the chunks' ends.
        using var segment = NewSegment();
        var batches = new List<(long Position, RecordBatchHeader Header)>();
        for (var i = 0; i < 400; i++)
        {
            var position = segment.Size;
            var batch = StorageBatches.Build(segment.NextOffset, 1_000 + i, records: 1 + (i % 3), valueBytes: 16 + (i * 7 % 150));
            var header = RecordBatchHeader.Read(batch);
            segment.Append(batch, header, indexIntervalBytes: 1 << 20);
            batches.Add((position, header));
        }

        Assert.True(segment.Size > 6 * 8192);
        foreach (var (position, header) in batches)
        {
            Assert.Equal(position, segment.FindBatch(header.LastOffset, segment.Size)?.Position);
            Assert.Equal(position, segment.FindBatch(header.BaseOffset, segment.Size)?.Position);
        }

        Assert.Null(segment.FindBatch(segment.NextOffset, segment.Size));
        var (lastPosition, last) = batches[^1];
        Assert.Null(segment.FindBatch(last.BaseOffset, lastPosition + RecordBatchHeader.Size - 1));
    }

    [Fact]
    public void Batches_from_a_timestamp_start_at_or_before_the_first_batch_that_may_hold_it()
    {
        using var segment = NewSegment();
        Append(segment, 1_000);
        Append(segment, 2_000);
        Append(segment, 3_000);

        var batches = segment.BatchesFromTimestamp(2_500, segment.Size).Select(b => b.Header.BaseOffset).ToList();

        Assert.Equal([Base + 2, Base + 4], batches);
    }

    [Fact]
    public void Opening_without_validation_restores_offsets_timestamps_and_index_from_the_headers()
    {
        using (var segment = NewSegment())
        {
            Append(segment, 1_000);
            Append(segment, 7_000);
        }

        var seen = new List<long>();
        using var reopened = LogSegment.Open(_directory.Path, Base, validate: false, indexIntervalBytes: 0, (h, _) => seen.Add(h.BaseOffset), out var reason);

        Assert.Null(reason);
        Assert.Equal([Base, Base + 2], seen);
        Assert.Equal(Base + 4, reopened.NextOffset);
        Assert.Equal(7_001, reopened.LargestTimestamp);
        Assert.Equal(1_001, reopened.RollingTimestamp);
        Assert.Equal(Base + 2, reopened.FindBatch(Base + 3, reopened.Size)?.Header.BaseOffset);
    }

    [Fact]
    public void Opening_cuts_a_torn_tail_even_without_validation_and_says_why()
    {
        long intact;
        using (var segment = NewSegment())
        {
            Append(segment, 1_000);
            intact = segment.Size;
            Append(segment, 2_000);
        }

        using (var file = new FileStream(LogFile, FileMode.Open))
        {
            file.SetLength(file.Length - 1);
        }

        using var reopened = LogSegment.Open(_directory.Path, Base, validate: false, indexIntervalBytes: 0, null, out var reason);

        Assert.Contains("torn", reason, StringComparison.Ordinal);
        Assert.Equal(intact, reopened.Size);
        Assert.Equal(intact, new FileInfo(LogFile).Length);
        Assert.Equal(Base + 2, reopened.NextOffset);
    }

    [Fact]
    public void Only_validation_catches_a_batch_whose_bytes_do_not_match_its_crc()
    {
        using (var segment = NewSegment())
        {
            Append(segment, 1_000);
        }

        using (var file = new FileStream(LogFile, FileMode.Open))
        {
            file.Seek(-1, SeekOrigin.End);
            file.WriteByte(0x7F);
        }

        using (var trusted = LogSegment.Open(_directory.Path, Base, validate: false, indexIntervalBytes: 0, null, out var noReason))
        {
            Assert.Null(noReason);
            Assert.Equal(Base + 2, trusted.NextOffset);
        }

        using var validated = LogSegment.Open(_directory.Path, Base, validate: true, indexIntervalBytes: 0, null, out var reason);
        Assert.Contains("CRC", reason, StringComparison.Ordinal);
        Assert.True(validated.IsEmpty);
        Assert.Equal(Base, validated.NextOffset);
    }

    [Fact]
    public void Opening_cuts_at_a_batch_whose_offset_goes_backwards()
    {
        using (var segment = NewSegment())
        {
            Append(segment, 1_000);
        }

        // A stale batch from before a truncation: valid on its own, but its offsets were already used.
        File.AppendAllBytes(LogFile, StorageBatches.Build(Base, 2_000, records: 2));

        using var reopened = LogSegment.Open(_directory.Path, Base, validate: true, indexIntervalBytes: 0, null, out var reason);

        Assert.Contains("expected at least", reason, StringComparison.Ordinal);
        Assert.Equal(Base + 2, reopened.NextOffset);
    }

    [Fact]
    public void Closing_writes_the_indexes_for_tools_as_big_endian_entries()
    {
        using var segment = NewSegment();
        var first = Append(segment, 1_000);
        Append(segment, 2_000);

        segment.FlushWithIndexes();

        var index = File.ReadAllBytes(LogSegment.FilePath(_directory.Path, Base, ".index"));
        Assert.Equal(16, index.Length);
        Assert.Equal(2, BinaryPrimitives.ReadInt32BigEndian(index.AsSpan(8)));
        Assert.Equal(first.TotalSize, BinaryPrimitives.ReadInt32BigEndian(index.AsSpan(12)));
        var timeIndex = File.ReadAllBytes(LogSegment.FilePath(_directory.Path, Base, ".timeindex"));
        Assert.Equal(24, timeIndex.Length);
        Assert.Equal(2_001, BinaryPrimitives.ReadInt64BigEndian(timeIndex.AsSpan(12)));
        Assert.Equal(2, BinaryPrimitives.ReadInt32BigEndian(timeIndex.AsSpan(20)));
    }

    [Fact]
    public void Delete_removes_the_log_and_both_indexes()
    {
        var segment = NewSegment();
        Append(segment, 1_000);
        segment.FlushWithIndexes();

        segment.Delete();

        Assert.Empty(Directory.EnumerateFiles(_directory.Path));
    }
}
