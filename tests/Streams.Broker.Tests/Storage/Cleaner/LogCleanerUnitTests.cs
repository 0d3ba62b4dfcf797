using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Streams.Broker.Producers;
using Streams.Broker.Protocol;
using Streams.Broker.Records;
using Streams.Broker.Storage.Cleaner;

namespace Streams.Broker.Tests.Storage.Cleaner;

/// <summary>The log cleaner on a real log directory with a fake clock, no sockets.</summary>
public sealed class LogCleanerUnitTests : IDisposable
{
    private readonly List<IDisposable> _owned = [];

    public void Dispose()
    {
        foreach (var owned in _owned)
        {
            owned.Dispose();
        }
    }

    private LogUnderTest NewLog(params (string Name, string Value)[] overrides)
    {
        var log = new LogUnderTest(overrides.Any(o => o.Name == "cleanup.policy") ? overrides : [("cleanup.policy", "compact"), .. overrides]);
        _owned.Add(log);
        return log;
    }

    private LogCleaner NewCleaner(LogUnderTest log, long dedupeBufferSize = 1 << 20)
    {
        var cleaner = new LogCleaner(dedupeBufferSize, double.MaxValue, NullLogger.Instance, log.Time);
        _owned.Insert(0, cleaner);
        return cleaner;
    }

    private static CleanerStats? Clean(LogCleaner cleaner, LogUnderTest log, bool force = false) =>
        cleaner.Clean("t-0", log.Log, log.Config, f => f(), force);

    [Fact]
    public void Keeps_the_latest_value_of_each_key_with_its_original_offset()
    {
        var log = NewLog();
        var expected = new Dictionary<string, (long Offset, string Value)>();
        for (var round = 0; round < 5; round++)
        {
            for (var k = 0; k < 10; k++)
            {
                var offset = log.Log.LogEndOffset;
                log.AppendKeyed([($"k{k}", $"v{round}")]);
                expected[$"k{k}"] = (offset, $"v{round}");
            }
        }

        log.Log.Roll();
        var stats = Clean(NewCleaner(log), log);

        Assert.NotNull(stats);
        Assert.Equal(50, stats.RecordsRead);
        Assert.Equal(40, stats.RecordsRemoved);
        var records = log.ReadAll();
        Assert.Equal(10, records.Count);
        foreach (var record in records)
        {
            Assert.Equal(expected[record.Key!], (record.Offset, record.Value!));
        }

        Assert.Equal(50, log.Log.LogEndOffset);
    }

    [Fact]
    public void Never_touches_the_active_segment()
    {
        var log = NewLog();
        for (var i = 0; i < 10; i++)
        {
            log.AppendKeyed([("same", $"v{i}")]);
        }

        var cleaner = NewCleaner(log);
        Assert.Null(Clean(cleaner, log, force: true));
        Assert.Equal(10, log.ReadAll().Count);

        log.Log.Roll();
        log.AppendKeyed([("same", "active-1")]);
        log.AppendKeyed([("same", "active-2")]);
        Assert.NotNull(Clean(cleaner, log));
        Assert.Equal(["v9", "active-1", "active-2"], log.ReadAll().Select(r => r.Value));
    }

    [Fact]
    public void Keeps_a_tombstone_for_delete_retention_ms_after_the_first_cleaning_then_removes_it()
    {
        var log = NewLog(("delete.retention.ms", "60000"));
        log.AppendKeyed([("gone", "1"), ("kept", "1")]);
        log.AppendKeyed([("gone", null)]);
        log.Log.Roll();
        var cleaner = NewCleaner(log);

        Assert.NotNull(Clean(cleaner, log));
        Assert.Equal([("kept", "1"), ("gone", (string?)null)], log.ReadAll().Select(r => (r.Key!, r.Value)));

        // Not due: nothing dirty and the horizon has not passed; forced, the tombstone still stays.
        log.Time.Advance(TimeSpan.FromSeconds(59));
        Assert.Null(Clean(cleaner, log));
        Clean(cleaner, log, force: true);
        Assert.Equal(2, log.ReadAll().Count);

        // The checkpoint remembers the horizon, so after a restart the cleaner comes back by itself for the tombstone.
        log.CloseAndReopen();
        log.Time.Advance(TimeSpan.FromSeconds(2));
        var stats = Clean(cleaner, log);
        Assert.NotNull(stats);
        Assert.Equal(1, stats.TombstonesRemoved);
        Assert.Equal([("kept", "1")], log.ReadAll().Select(r => (r.Key!, r.Value)));
    }

    [Fact]
    public void Record_timestamps_survive_a_delete_horizon_in_the_batch()
    {
        var log = NewLog(("delete.retention.ms", "60000"));
        var first = log.NowMs;
        log.AppendKeyed([("a", "1"), ("b", null)], timestampStepMs: 10);
        log.Log.Roll();
        Clean(NewCleaner(log), log);

        var batch = log.Log.AllBatches().Single().Header;
        Assert.NotEqual(0, batch.Attributes & LogCleaner.DeleteHorizonFlag);
        Assert.Equal(first + 60000, batch.BaseTimestamp);
        Assert.Equal([first, first + 10], log.ReadAll().Select(r => r.Timestamp));
        Assert.Equal(first + 10, batch.MaxTimestamp);
    }

    [Fact]
    public void Respects_min_compaction_lag()
    {
        var log = NewLog(("min.compaction.lag.ms", "10000"));
        for (var i = 0; i < 5; i++)
        {
            log.AppendKeyed([("k", $"v{i}")]);
        }

        log.Log.Roll();
        var cleaner = NewCleaner(log);
        Assert.Null(Clean(cleaner, log, force: true));
        Assert.Equal(5, log.ReadAll().Count);

        log.Time.Advance(TimeSpan.FromSeconds(11));
        Assert.NotNull(Clean(cleaner, log));
        Assert.Equal(["v4"], log.ReadAll().Select(r => r.Value));
    }

    [Fact]
    public void Max_compaction_lag_cleans_below_the_dirty_ratio()
    {
        var log = NewLog(("min.cleanable.dirty.ratio", "0.99"), ("max.compaction.lag.ms", "5000"));
        for (var i = 0; i < 100; i++)
        {
            log.AppendKeyed([($"k{i}", "v")]);
        }

        log.Log.Roll();
        var cleaner = NewCleaner(log);
        Clean(cleaner, log, force: true);
        log.AppendKeyed([("k1", "new")]);
        log.Log.Roll();

        Assert.Null(Clean(cleaner, log));
        log.Time.Advance(TimeSpan.FromSeconds(6));
        Assert.NotNull(Clean(cleaner, log));
        Assert.Equal(100, log.ReadAll().Count);
    }

    [Fact]
    public void Waits_for_the_dirty_ratio_and_persists_its_checkpoint()
    {
        var log = NewLog(("min.cleanable.dirty.ratio", "0.5"));
        for (var i = 0; i < 100; i++)
        {
            log.AppendKeyed([($"k{i}", "value")]);
        }

        log.Log.Roll();
        var cleaner = NewCleaner(log);
        Assert.NotNull(Clean(cleaner, log));
        Assert.Equal(100, CleanerCheckpoint.Read(log.Directory).FirstDirtyOffset);

        // 10 updates against 100 clean records: about 10% dirty.
        for (var i = 0; i < 10; i++)
        {
            log.AppendKeyed([($"k{i}", "update")]);
        }

        log.Log.Roll();
        Assert.Null(Clean(cleaner, log));
        log.CloseAndReopen();
        Assert.Null(Clean(cleaner, log));

        for (var i = 0; i < 150; i++)
        {
            log.AppendKeyed([($"k{i % 100}", "again")]);
        }

        log.Log.Roll();
        var stats = Clean(cleaner, log);
        Assert.NotNull(stats);
        Assert.True(stats.DirtyRatio >= 0.5, $"ratio {stats.DirtyRatio}");
        Assert.Equal(100, log.ReadAll().Count);
        Assert.All(log.ReadAll(), r => Assert.Equal("again", r.Value));
    }

    [Fact]
    public void Keeps_each_producers_last_batch_so_a_retry_is_still_a_duplicate_after_restart()
    {
        var log = NewLog();
        log.AppendKeyed([("a", "1"), ("b", "1")], producerId: 7, baseSequence: 0);
        var last = log.AppendKeyed([("a", "2")], producerId: 7, baseSequence: 2);
        log.AppendKeyed([("a", "3"), ("b", "3")]);
        log.Log.Roll();

        Clean(NewCleaner(log), log);
        var batches = log.Log.AllBatches().Select(b => b.Header).ToList();
        var empty = Assert.Single(batches, b => b.ProducerId == 7);
        Assert.Equal(0, empty.RecordsCount);
        Assert.Equal((last.BaseOffset, last.LastOffset, last.BaseSequence, last.ProducerEpoch), (empty.BaseOffset, empty.LastOffset, empty.BaseSequence, empty.ProducerEpoch));
        Assert.Equal(["3", "3"], log.ReadAll().Select(r => r.Value));

        var seen = log.CrashAndReopen();
        var producers = new ProducerStateManager();
        foreach (var header in seen)
        {
            producers.Update(header, log.NowMs);
        }

        var retry = RecordBatchHeader.Read(KeyedBatch.Build(0, log.NowMs, [("a", "2")], producerId: 7, baseSequence: 2));
        Assert.Equal(last.BaseOffset, producers.Check(retry).DuplicateOf?.FirstOffset);
        var gap = RecordBatchHeader.Read(KeyedBatch.Build(0, log.NowMs, [("a", "x")], producerId: 7, baseSequence: 5));
        Assert.Equal(ErrorCode.OutOfOrderSequenceNumber, producers.Check(gap).Error);
        var next = RecordBatchHeader.Read(KeyedBatch.Build(0, log.NowMs, [("a", "x")], producerId: 7, baseSequence: 3));
        Assert.Equal(ErrorCode.None, producers.Check(next).Error);
        Assert.Null(producers.Check(next).DuplicateOf);
    }

    [Theory]
    [InlineData(1)] // gzip
    [InlineData(2)] // snappy
    [InlineData(3)] // lz4
    [InlineData(4)] // zstd
    public void Recompresses_partly_kept_batches_with_their_codec(int codecId)
    {
        var codec = (CompressionType)codecId;
        var log = NewLog();
        log.AppendKeyed([.. Enumerable.Range(0, 10).Select(i => ($"k{i}", (string?)"old"))], compression: codec);
        log.AppendKeyed([.. Enumerable.Range(0, 5).Select(i => ($"k{i}", (string?)"new"))], compression: codec);
        log.Log.Roll();

        Clean(NewCleaner(log), log);

        var batches = log.Log.AllBatches().Select(b => b.Header).ToList();
        Assert.Equal(2, batches.Count);
        Assert.All(batches, b => Assert.Equal(codec, b.Compression));
        Assert.Equal((0, 9, 5), (batches[0].BaseOffset, batches[0].LastOffset, batches[0].RecordsCount));
        var records = log.ReadAll();
        Assert.Equal(Enumerable.Range(5, 5).Select(i => ($"k{i}", "old")).Concat(Enumerable.Range(0, 5).Select(i => ($"k{i}", "new"))), records.Select(r => (r.Key!, r.Value!)));
        Assert.Equal([5, 6, 7, 8, 9, 10, 11, 12, 13, 14], records.Select(r => r.Offset));
    }

    [Fact]
    public void Groups_small_cleaned_segments_into_one()
    {
        var log = NewLog(("segment.bytes", "4096"));
        for (var i = 0; i < 20; i++)
        {
            log.AppendKeyed([("a", $"v{i}"), ("b", $"v{i}"), ("c", $"v{i}")]);
            log.Log.Roll();
        }

        Assert.Equal(21, log.SegmentFiles.Count);
        var stats = Clean(NewCleaner(log), log);
        Assert.NotNull(stats);
        Assert.Equal(20, stats.SegmentsBefore);
        Assert.Equal(2, log.SegmentFiles.Count);
        Assert.Equal(["v19", "v19", "v19"], log.ReadAll().Select(r => r.Value));
        Assert.Equal(2, log.CrashAndReopen().Count + 1);
        Assert.Equal(60, log.Log.LogEndOffset);
    }

    [Fact]
    public void Grouping_respects_segment_bytes()
    {
        var log = NewLog(("segment.bytes", "400")); // two of these 172-byte batches per group
        for (var i = 0; i < 6; i++)
        {
            log.AppendKeyed([($"k{i}", new string('x', 100))]);
            log.Log.Roll();
        }

        var stats = Clean(NewCleaner(log), log);
        Assert.NotNull(stats);
        Assert.Equal(6, stats.SegmentsBefore);
        Assert.Equal(3, stats.SegmentsAfter);
    }

    [Fact]
    public void Reads_from_a_removed_offset_return_the_next_surviving_batch()
    {
        var log = NewLog();
        log.AppendKeyed([("a", "1")]);                      // 0: removed
        log.AppendKeyed([("b", "1")]);                      // 1: kept
        log.AppendKeyed([("a", "2")]);                      // 2: removed
        log.AppendKeyed([("c", "1")], timestampOffsetMs: 5000); // 3: removed
        log.AppendKeyed([("a", "3"), ("c", "2")], timestampOffsetMs: 6000); // 4, 5: kept
        log.Log.Roll();
        Clean(NewCleaner(log), log);

        Assert.Equal([1, 4, 5], log.ReadAll().Select(r => r.Offset));
        Assert.Equal(1, log.Log.Locate(0, 1 << 20, true)!.Value.FirstBatchOffset);
        Assert.Equal(4, log.Log.Locate(2, 1 << 20, true)!.Value.FirstBatchOffset);
        Assert.Equal(4, log.Log.Locate(3, 1 << 20, true)!.Value.FirstBatchOffset);
        Assert.Null(log.Log.Locate(6, 1 << 20, true));

        // ListOffsets by time: the record at +5000 is gone, the next one at or after it is at offset 4.
        Assert.Equal(4, log.Log.FetchOffsetByTimestamp(LogUnderTest.Start.ToUnixTimeMilliseconds() + 5000)!.Value.Offset);

        // DeleteRecords to a removed offset: reads start at the next surviving record.
        log.Log.AdvanceLogStartOffset(3);
        Assert.Equal(4, log.Log.Locate(log.Log.LogStartOffset, 1 << 20, true)!.Value.FirstBatchOffset);
    }

    [Fact]
    public void Max_timestamp_lookup_skips_a_producers_empty_batch()
    {
        var log = NewLog();
        log.AppendKeyed([("a", "late-stamp")], producerId: 3, baseSequence: 0, timestampOffsetMs: 1000);
        log.AppendKeyed([("a", "latest")]);
        log.Log.Roll();
        Clean(NewCleaner(log), log);

        Assert.Equal(0, log.Log.AllBatches().First().Header.RecordsCount);
        Assert.Equal((log.NowMs, 1L), log.Log.FetchMaxTimestampOffset());
    }

    [Fact]
    public void A_dirty_section_larger_than_the_offset_map_is_cleaned_in_passes()
    {
        var log = NewLog();
        for (var round = 0; round < 3; round++)
        {
            for (var k = 0; k < 100; k++)
            {
                log.AppendKeyed([($"k{k}", $"v{round}")]);
            }
        }

        log.Log.Roll();

        // 40 slots: 36 keys per pass.
        var cleaner = NewCleaner(log, dedupeBufferSize: 40 * OffsetMap.BytesPerEntry);
        var passes = 0;
        while (Clean(cleaner, log, force: passes == 0) is not null)
        {
            passes++;
            Assert.True(passes < 50, "cleaning makes progress");
        }

        Assert.True(passes > 1, $"{passes} passes");
        var latest = log.ReadAll().GroupBy(r => r.Key).ToDictionary(g => g.Key!, g => g.Last().Value);
        Assert.Equal(100, latest.Count);
        Assert.All(latest.Values, v => Assert.Equal("v2", v));
        Assert.Equal(100, log.ReadAll().Count);
    }

    [Theory]
    [InlineData("cleaned")]
    [InlineData("swap")]
    [InlineData("deleted")]
    public void A_crash_at_any_step_of_the_swap_leaves_a_complete_log(string step)
    {
        var log = NewLog(("segment.bytes", "100000"));
        var expected = new Dictionary<string, string>();
        for (var round = 0; round < 4; round++)
        {
            for (var k = 0; k < 20; k++)
            {
                log.AppendKeyed([($"k{k}", $"v{round}")]);
                expected[$"k{k}"] = $"v{round}";
            }

            log.Log.Roll();
        }

        log.AppendKeyed([("k0", "active")]);
        expected["k0"] = "active";
        var cleaner = NewCleaner(log);
        cleaner.AfterStep = s =>
        {
            if (s == step)
            {
                throw new SimulatedCrashException();
            }
        };

        Assert.Throws<SimulatedCrashException>(() => Clean(cleaner, log));
        log.CrashAndReopen();

        Assert.Empty(Directory.EnumerateFiles(log.Directory, "*.cleaned"));
        Assert.Empty(Directory.EnumerateFiles(log.Directory, "*.swap"));
        var records = log.ReadAll();
        Assert.Equal(expected, records.GroupBy(r => r.Key!).ToDictionary(g => g.Key, g => g.Last().Value!));
        Assert.Equal(records.Select(r => r.Offset).Order(), records.Select(r => r.Offset));
        Assert.Equal(81, log.Log.LogEndOffset);
        Assert.Equal(step == "cleaned" ? 81 : 21, records.Count);

        // And a cleaner that runs again finishes the job.
        cleaner.AfterStep = null;
        Clean(cleaner, log, force: true);
        Assert.Equal(21, log.ReadAll().Count);
    }

    [Fact]
    public void A_swap_is_abandoned_when_retention_removed_a_segment_meanwhile()
    {
        var log = NewLog(("cleanup.policy", "compact,delete"));
        for (var i = 0; i < 3; i++)
        {
            log.AppendKeyed([("a", $"v{i}"), ("b", $"v{i}")]);
            log.Log.Roll();
        }

        var cleaner = NewCleaner(log);
        cleaner.AfterStep = step =>
        {
            if (step == "cleaned")
            {
                // DeleteRecords and retention run under the partition lock while the cleaner works outside it.
                log.Log.AdvanceLogStartOffset(2);
                Assert.Single(log.Log.ApplyRetention(log.Config, log.NowMs));
            }
        };

        Assert.Null(Clean(cleaner, log));
        Assert.Empty(Directory.EnumerateFiles(log.Directory, "*.cleaned"));
        Assert.Equal(["v1", "v1", "v2", "v2"], log.ReadAll().Select(r => r.Value));

        cleaner.AfterStep = null;
        Assert.NotNull(Clean(cleaner, log, force: true));
        Assert.Equal(["v2", "v2"], log.ReadAll().Select(r => r.Value));
    }

    [Fact]
    public void Io_max_bytes_per_second_slows_the_cleaner_down()
    {
        var log = NewLog();
        for (var i = 0; i < 100; i++)
        {
            log.AppendKeyed([($"k{i % 10}", new string('x', 1000))]);
        }

        log.Log.Roll();
        using var throttled = new LogCleaner(1 << 20, 200_000, NullLogger.Instance, log.Time);
        var stats = throttled.Clean("t-0", log.Log, log.Config, f => f(), force: true);

        // About 100 KB read for the map, 100 KB read and 10 KB written for the copy: a second at 200 KB/s.
        Assert.NotNull(stats);
        Assert.True(stats.Duration >= TimeSpan.FromSeconds(0.5), $"took {stats.Duration}");
    }

    [Fact]
    public void Offset_map_keeps_the_latest_offset_and_refuses_new_keys_when_full()
    {
        var map = new OffsetMap(20 * OffsetMap.BytesPerEntry);
        Assert.Equal(18, map.MaxEntries);
        for (var i = 0; i < 18; i++)
        {
            Assert.True(map.Put(Encoding.UTF8.GetBytes($"k{i}"), i));
        }

        Assert.True(map.Put("k3"u8, 100));
        Assert.False(map.Put("new"u8, 101));
        Assert.Equal(100, map.Get("k3"u8));
        Assert.Equal(-1, map.Get("new"u8));
        Assert.Equal(100, map.LatestOffset);
        map.Clear();
        Assert.Equal(-1, map.Get("k3"u8));
    }

    private sealed class SimulatedCrashException : Exception;
}

/// <summary>Keyed batches for cleaner tests.</summary>
internal static class KeyedBatch
{
    public static byte[] Build(long baseOffset, long timestamp, IReadOnlyList<(string Key, string? Value)> records, long producerId = -1, int baseSequence = -1,
        CompressionType compression = CompressionType.None, long timestampStepMs = 0)
    {
        var builder = new RecordBatchBuilder(baseOffset, producerId, producerId >= 0 ? (short)0 : (short)-1, baseSequence, compression: compression);
        for (var i = 0; i < records.Count; i++)
        {
            var (key, value) = records[i];
            builder.Add(timestamp + (i * timestampStepMs), Encoding.UTF8.GetBytes(key), value is null ? null : (ReadOnlyMemory<byte>?)Encoding.UTF8.GetBytes(value));
        }

        return builder.Build();
    }

    public static RecordBatchHeader AppendKeyed(this LogUnderTest log, IReadOnlyList<(string Key, string? Value)> records, long producerId = -1, int baseSequence = -1,
        CompressionType compression = CompressionType.None, long timestampOffsetMs = 0, long timestampStepMs = 0)
    {
        var batch = Build(log.Log.LogEndOffset, log.NowMs + timestampOffsetMs, records, producerId, baseSequence, compression, timestampStepMs);
        var header = RecordBatchHeader.Read(batch);
        log.Log.Append(batch, header, log.Config);
        return header;
    }

    public static List<(long Offset, long Timestamp, string? Key, string? Value)> ReadAll(this LogUnderTest log)
    {
        var records = new List<(long, long, string?, string?)>();
        foreach (var (segment, position, header) in log.Log.AllBatches())
        {
            var buffer = new byte[header.TotalSize];
            segment.Read(position, buffer);
            Assert.Equal(header.Crc, RecordBatchHeader.ComputeCrc(buffer));
            foreach (var record in RecordBatchReader.ReadRecords(buffer))
            {
                records.Add((record.Offset, record.Timestamp,
                    record.Key is { } k ? Encoding.UTF8.GetString(k.Span) : null,
                    record.Value is { } v ? Encoding.UTF8.GetString(v.Span) : null));
            }
        }

        return records;
    }
}
