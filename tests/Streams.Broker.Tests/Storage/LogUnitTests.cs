using Streams.Broker.Records;

namespace Streams.Broker.Tests.Storage;

/// <summary>The partition log on its own: appends, reads, rolling, recovery, retention and the log start offset.</summary>
public sealed class LogUnitTests
{
    [Fact]
    public void A_new_log_is_empty_with_one_segment_at_offset_zero()
    {
        using var log = new LogUnderTest();

        Assert.Equal(0, log.Log.LogStartOffset);
        Assert.Equal(0, log.Log.LogEndOffset);
        Assert.Equal(["00000000000000000000.log"], log.SegmentFiles);
        Assert.Null(log.Log.Locate(0, 1 << 20, minOneBatch: true));
    }

    [Fact]
    public void Appends_advance_the_log_end_offset_by_the_records_of_each_batch()
    {
        using var log = new LogUnderTest();

        log.Append(records: 3);
        log.Append(records: 2);

        Assert.Equal(5, log.Log.LogEndOffset);
        Assert.Equal([0L, 3L], log.Log.AllBatches().Select(b => b.Header.BaseOffset));
    }

    [Fact]
    public void Locate_returns_the_stored_bytes_from_the_batch_holding_the_offset()
    {
        using var log = new LogUnderTest();
        log.Append(records: 3);
        var second = log.Append(records: 3);
        log.Append(records: 3);

        var slice = log.Log.Locate(4, 1 << 20, minOneBatch: false);

        Assert.NotNull(slice);
        Assert.Equal(3, slice.Value.FirstBatchOffset);
        Assert.Equal(2 * second.TotalSize, slice.Value.Length);
        var bytes = new byte[slice.Value.Length];
        slice.Value.Segment.Read(slice.Value.Position, bytes);
        var read = RecordBatchHeader.Read(bytes);
        Assert.Equal(3, read.BaseOffset);
        Assert.Equal(second.Crc, read.Crc);
    }

    [Fact]
    public void Locate_at_the_log_end_offset_finds_nothing_yet()
    {
        using var log = new LogUnderTest();
        log.Append(records: 2);

        Assert.Null(log.Log.Locate(2, 1 << 20, minOneBatch: true));
    }

    [Fact]
    public void Locate_cuts_at_max_bytes_but_returns_one_whole_batch_only_when_allowed_to_exceed()
    {
        using var log = new LogUnderTest();
        var first = log.Append();
        log.Append();

        Assert.Null(log.Log.Locate(0, first.TotalSize - 1, minOneBatch: false));
        Assert.Equal(first.TotalSize, log.Log.Locate(0, first.TotalSize - 1, minOneBatch: true)?.Length);
        Assert.Equal(first.TotalSize + 10, log.Log.Locate(0, first.TotalSize + 10, minOneBatch: false)?.Length);
    }

    [Fact]
    public void A_batch_that_would_overflow_segment_bytes_starts_a_new_segment_at_the_log_end_offset()
    {
        var size = StorageBatches.SizeOf();
        using var log = new LogUnderTest(("segment.bytes", (2 * size).ToString(System.Globalization.CultureInfo.InvariantCulture)));

        log.Append();
        log.Append();
        Assert.Single(log.SegmentFiles);

        log.Append();

        Assert.Equal(["00000000000000000000.log", "00000000000000000002.log"], log.SegmentFiles);
        Assert.Equal(2, log.Log.Locate(2, 1 << 20, minOneBatch: true)?.Segment.BaseOffset);
        Assert.Equal(0, log.Log.Locate(1, 1 << 20, minOneBatch: true)?.Segment.BaseOffset);
    }

    [Fact]
    public void A_batch_larger_than_segment_bytes_still_goes_into_an_empty_segment()
    {
        using var log = new LogUnderTest(("segment.bytes", "100"));

        log.Append(records: 10);

        Assert.Single(log.SegmentFiles);
        Assert.Equal(10, log.Log.LogEndOffset);
    }

    [Fact]
    public void A_batch_stamped_more_than_segment_ms_after_the_segment_began_rolls_it()
    {
        using var log = new LogUnderTest(("segment.ms", "60000"));
        log.Append();

        log.Time.Advance(TimeSpan.FromSeconds(60));
        log.Append();
        Assert.Single(log.SegmentFiles);

        log.Time.Advance(TimeSpan.FromMilliseconds(1));
        log.Append();

        Assert.Equal(["00000000000000000000.log", "00000000000000000002.log"], log.SegmentFiles);
    }

    [Fact]
    public void Rolling_by_time_follows_record_timestamps_not_the_clock()
    {
        using var log = new LogUnderTest(("segment.ms", "60000"));
        log.Append();

        // Hours pass, but the producer's records still carry the old time: nothing says the segment is old.
        log.Time.Advance(TimeSpan.FromHours(2));
        log.Append(timestampOffsetMs: -TimeSpan.FromHours(2).Ticks / TimeSpan.TicksPerMillisecond);

        Assert.Single(log.SegmentFiles);
    }

    [Fact]
    public void After_a_crash_a_torn_last_batch_is_cut_and_everything_before_it_is_kept()
    {
        using var log = new LogUnderTest();
        log.Append(records: 2);
        log.Append(records: 2);
        var torn = log.Append(records: 2);
        var sizeBefore = new FileInfo(StorageBatches.LastLogFile(log.Directory)).Length;

        var replayed = log.CrashAndReopen(directory =>
        {
            using var file = new FileStream(StorageBatches.LastLogFile(directory), FileMode.Open);
            file.SetLength(file.Length - 5);
        });

        Assert.Equal(4, log.Log.LogEndOffset);
        Assert.Equal([0L, 2L], replayed.Select(h => h.BaseOffset));
        Assert.Equal(sizeBefore - torn.TotalSize, new FileInfo(StorageBatches.LastLogFile(log.Directory)).Length);

        // The next append reuses the offsets the torn batch never made durable.
        Assert.Equal(4, log.Append().BaseOffset);
    }

    [Fact]
    public void After_a_crash_a_last_batch_failing_its_crc_is_cut()
    {
        using var log = new LogUnderTest();
        log.Append(records: 2);
        var corrupt = log.Append(records: 2);

        log.CrashAndReopen(directory =>
        {
            using var file = new FileStream(StorageBatches.LastLogFile(directory), FileMode.Open);
            file.Seek(-1, SeekOrigin.End);
            file.WriteByte(0xFF);
        });

        Assert.Equal(corrupt.BaseOffset, log.Log.LogEndOffset);
    }

    [Fact]
    public void After_a_crash_trailing_bytes_shorter_than_a_header_are_cut()
    {
        using var log = new LogUnderTest();
        log.Append(records: 3);

        log.CrashAndReopen(directory => File.AppendAllText(StorageBatches.LastLogFile(directory), "garbage"));

        Assert.Equal(3, log.Log.LogEndOffset);
        Assert.Equal(StorageBatches.SizeOf(records: 3), new FileInfo(StorageBatches.LastLogFile(log.Directory)).Length);
    }

    [Fact]
    public void A_clean_shutdown_keeps_every_batch_and_every_segment()
    {
        var size = StorageBatches.SizeOf();
        using var log = new LogUnderTest(("segment.bytes", size.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        log.Append();
        log.Append();
        log.Append();

        var replayed = log.CloseAndReopen();

        Assert.Equal(3, log.Log.LogEndOffset);
        Assert.Equal([0L, 1L, 2L], replayed.Select(h => h.BaseOffset));
        Assert.Equal(3, log.SegmentFiles.Count);
    }

    [Fact]
    public void The_log_start_offset_only_moves_forward_and_survives_a_restart()
    {
        using var log = new LogUnderTest();
        log.Append(records: 10);

        log.Log.AdvanceLogStartOffset(4);
        log.Log.AdvanceLogStartOffset(2);
        Assert.Equal(4, log.Log.LogStartOffset);

        log.CrashAndReopen();

        Assert.Equal(4, log.Log.LogStartOffset);
        Assert.Equal(10, log.Log.LogEndOffset);
    }

    [Fact]
    public void Retention_deletes_closed_segments_wholly_below_the_log_start_offset()
    {
        var size = StorageBatches.SizeOf(records: 2);
        using var log = new LogUnderTest(("segment.bytes", size.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        log.Append(records: 2);
        log.Append(records: 2);
        log.Append(records: 2);

        log.Log.AdvanceLogStartOffset(3);
        var removed = log.Log.ApplyRetention(log.Config, log.NowMs);

        // [0,1] is below 3 and goes; [2,3] still holds offset 3 and stays, so does the active segment.
        Assert.Equal([0L], removed.Select(s => s.BaseOffset));
        Assert.Equal(3, log.Log.LogStartOffset);
        Assert.Equal([2L, 4L], log.Log.AllBatches().Select(b => b.Header.BaseOffset));
    }

    [Fact]
    public void Size_retention_deletes_the_oldest_closed_segments_until_the_rest_fits()
    {
        var size = StorageBatches.SizeOf();
        using var log = new LogUnderTest(
            ("segment.bytes", size.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            ("retention.bytes", (2 * size).ToString(System.Globalization.CultureInfo.InvariantCulture)));
        for (var i = 0; i < 5; i++)
        {
            log.Append();
        }

        var removed = log.Log.ApplyRetention(log.Config, log.NowMs);

        // Kafka's rule: a segment goes only if what remains without it is still at least retention.bytes.
        Assert.Equal([0L, 1L, 2L], removed.Select(s => s.BaseOffset));
        Assert.Equal(3, log.Log.LogStartOffset);
        Assert.Equal(5, log.Log.LogEndOffset);
    }

    [Fact]
    public void Size_retention_never_deletes_the_active_segment()
    {
        using var log = new LogUnderTest(("retention.bytes", "1"));
        log.Append(records: 5);

        Assert.Empty(log.Log.ApplyRetention(log.Config, log.NowMs));
        Assert.Equal(0, log.Log.LogStartOffset);
    }

    [Fact]
    public void Time_retention_deletes_closed_segments_whose_newest_record_is_older_than_retention_ms()
    {
        var size = StorageBatches.SizeOf();
        using var log = new LogUnderTest(
            ("segment.bytes", size.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            ("retention.ms", "60000"));
        log.Append();
        log.Time.Advance(TimeSpan.FromSeconds(30));
        log.Append();
        log.Time.Advance(TimeSpan.FromSeconds(30));
        log.Append();

        log.Time.Advance(TimeSpan.FromSeconds(1));
        var removed = log.Log.ApplyRetention(log.Config, log.NowMs);

        Assert.Equal([0L], removed.Select(s => s.BaseOffset));
        Assert.Equal(1, log.Log.LogStartOffset);

        log.Time.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal([1L], log.Log.ApplyRetention(log.Config, log.NowMs).Select(s => s.BaseOffset));
    }

    [Fact]
    public void When_everything_expired_the_active_segment_is_rolled_first_so_an_idle_topic_empties()
    {
        using var log = new LogUnderTest(("retention.ms", "60000"));
        log.Append(records: 3);

        log.Time.Advance(TimeSpan.FromMinutes(2));
        var removed = log.Log.ApplyRetention(log.Config, log.NowMs);

        Assert.Equal([0L], removed.Select(s => s.BaseOffset));
        Assert.Equal(3, log.Log.LogStartOffset);
        Assert.Equal(3, log.Log.LogEndOffset);
        Assert.Empty(log.Log.AllBatches());
    }

    [Fact]
    public void Retention_is_off_for_a_compacted_topic()
    {
        var size = StorageBatches.SizeOf();
        using var log = new LogUnderTest(
            ("cleanup.policy", "compact"),
            ("segment.bytes", size.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            ("retention.ms", "1"),
            ("retention.bytes", "1"));
        log.Append();
        log.Append();

        log.Time.Advance(TimeSpan.FromDays(1));

        Assert.Empty(log.Log.ApplyRetention(log.Config, log.NowMs));
    }

    [Fact]
    public void A_timestamp_lookup_starts_in_the_first_segment_that_may_hold_it()
    {
        var size = StorageBatches.SizeOf();
        using var log = new LogUnderTest(
            ("segment.bytes", (3 * size).ToString(System.Globalization.CultureInfo.InvariantCulture)),
            ("index.interval.bytes", "0"));
        var start = log.NowMs;
        foreach (var seconds in new[] { 1, 2, 3, 4, 5, 6 })
        {
            log.Append(timestampOffsetMs: seconds * 1000);
        }

        var batches = log.Log.BatchesFromTimestamp(start + 4_500).ToList();

        // 4.5 s is in the second segment (4, 5, 6 s): the first segment is skipped, the search starts just before.
        Assert.Equal(3, batches[0].Segment.BaseOffset);
        Assert.Equal(4, batches.First(b => b.Header.MaxTimestamp >= start + 4_500).Header.BaseOffset);
        Assert.Equal(5, batches[^1].Header.BaseOffset);
    }

    [Fact]
    public void A_timestamp_lookup_past_the_newest_record_finds_nothing()
    {
        using var log = new LogUnderTest();
        log.Append(records: 3);

        Assert.Empty(log.Log.BatchesFromTimestamp(log.NowMs + 10_000));
    }

    [Fact]
    public void A_timestamp_lookup_before_the_oldest_record_starts_at_the_first_batch()
    {
        using var log = new LogUnderTest();
        log.Append();
        log.Append(timestampOffsetMs: 1000);

        Assert.Equal([0L, 1L], log.Log.BatchesFromTimestamp(0).Select(b => b.Header.BaseOffset));
    }

    [Fact]
    public void After_a_crash_that_tore_records_below_the_log_start_offset_the_log_continues_at_the_log_start_offset()
    {
        // DeleteRecords made the start offset durable at once (it is fsynced); the records below it were not.
        using var log = new LogUnderTest();
        log.Append(records: 2);
        log.Append(records: 2);
        log.Log.AdvanceLogStartOffset(4);

        log.CrashAndReopen(directory =>
        {
            using var file = new FileStream(StorageBatches.LastLogFile(directory), FileMode.Open);
            file.SetLength(file.Length - 5);
        });

        // Otherwise the next append reuses offset 2, below the start offset, where no consumer will ever read it.
        Assert.True(log.Log.LogEndOffset >= log.Log.LogStartOffset, $"log end {log.Log.LogEndOffset} is below log start {log.Log.LogStartOffset}");
        Assert.Equal(4, log.Log.LogEndOffset);
    }
}
