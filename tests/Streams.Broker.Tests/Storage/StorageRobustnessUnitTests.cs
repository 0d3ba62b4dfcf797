using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Streams.Broker.Configs;
using Streams.Broker.Producers;
using Streams.Broker.Protocol;
using Streams.Broker.Records;
using Streams.Broker.Storage;

namespace Streams.Broker.Tests.Storage;

/// <summary>Restarts that never break: index files, quarantine, concurrent index reads, file handles, format version.</summary>
public sealed class StorageRobustnessUnitTests
{
    private static readonly (string, string)[] SmallSegments = [("segment.bytes", "400"), ("index.interval.bytes", "100")];

    [Fact]
    public void A_clean_restart_opens_segments_from_their_index_files_without_reading_every_batch()
    {
        using var log = new LogUnderTest(SmallSegments);
        for (var i = 0; i < 30; i++)
        {
            log.Append(records: 2, timestampOffsetMs: i * 10);
        }

        var before = Snapshot(log.Log);
        var seen = log.CloseAndReopenFromIndexes();

        Assert.Empty(seen); // producer state came from its snapshot: no replay
        Assert.Equal(before, Snapshot(log.Log));
        log.Append();
        Assert.Equal(61, log.Log.LogEndOffset);
    }

    [Fact]
    public void An_index_file_that_fails_its_checks_is_rebuilt_from_the_batches()
    {
        using var log = new LogUnderTest(SmallSegments);
        for (var i = 0; i < 30; i++)
        {
            log.Append(records: 2, timestampOffsetMs: i * 10);
        }

        var before = Snapshot(log.Log);
        log.Log.Close();
        var indexes = Directory.GetFiles(log.Directory, "*.index").Order(StringComparer.Ordinal).ToList();
        File.WriteAllBytes(indexes[0], [1, 2, 3]); // not a whole entry
        File.WriteAllBytes(indexes[1], [0, 0, 0, 5, 0, 0, 0, 9, 0, 0, 0, 1, 0, 0, 0, 0]); // out of order
        File.Delete(Directory.GetFiles(log.Directory, "*.timeindex").Order(StringComparer.Ordinal).ToList()[2]);

        log.CloseAndReopenFromIndexes();

        Assert.Equal(before, Snapshot(log.Log));
    }

    [Fact]
    public void A_clean_restart_never_rewrites_a_segment_and_quarantines_a_corrupt_middle_one()
    {
        using var log = new LogUnderTest(SmallSegments);
        for (var i = 0; i < 30; i++)
        {
            log.Append(records: 2);
        }

        log.Log.Close();
        var files = log.SegmentFiles.Select(f => Path.Combine(log.Directory, f)).ToList();
        Assert.True(files.Count >= 4);
        var middle = files[1];
        var bytes = File.ReadAllBytes(middle);
        bytes[16] = 7; // the first batch's magic byte: a broken header
        File.WriteAllBytes(middle, bytes);
        var hashes = files.Where(f => f != middle).ToDictionary(f => f, Hash);
        var logger = new ListLogger();

        log.CloseAndReopenFromIndexes(logger);

        Assert.All(hashes, h => Assert.Equal(h.Value, Hash(h.Key)));
        Assert.False(File.Exists(middle));
        Assert.True(File.Exists(middle + Log.QuarantinedSuffix));
        Assert.Contains(logger.Lines, l => l.Contains(Path.GetFileName(middle), StringComparison.Ordinal) && l.Contains("Quarantined", StringComparison.Ordinal));
        Assert.Equal(60, log.Log.LogEndOffset);

        // Offsets of the quarantined segment read as a gap: a fetch there continues at the next segment.
        var nextSegmentBase = long.Parse(Path.GetFileNameWithoutExtension(files[2]), System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(nextSegmentBase, log.Log.Locate(nextSegmentBase - 1, 1 << 20, minOneBatch: true)?.FirstBatchOffset);
    }

    [Fact]
    public void After_a_crash_only_the_tail_is_cut_and_a_corrupt_rolled_segment_is_quarantined_not_truncated()
    {
        using var log = new LogUnderTest(SmallSegments);
        for (var i = 0; i < 30; i++)
        {
            log.Append(records: 2);
        }

        var files = log.SegmentFiles.Select(f => Path.Combine(log.Directory, f)).ToList();
        var logger = new ListLogger();
        log.Log.Dispose(); // a crash: no clean-shutdown marker
        var middle = files[1];
        var bytes = File.ReadAllBytes(middle);
        bytes[^3] ^= 0xFF; // inside the last batch's records: only a CRC check would see it, and rolled segments are trusted
        bytes[16] = 9;     // the first batch's magic: a broken header every open sees
        File.WriteAllBytes(middle, bytes);
        var torn = new FileInfo(files[^1]).Length;
        File.AppendAllBytes(files[^1], new byte[10]); // a torn write at the tail

        var seen = new List<RecordBatchHeader>();
        var opened = Log.Open(log.Directory, log.Config, logger, log.Time, seen.Add);
        try
        {
            Assert.True(File.Exists(middle + Log.QuarantinedSuffix));
            Assert.Equal(bytes, File.ReadAllBytes(middle + Log.QuarantinedSuffix)); // set aside untouched
            Assert.Equal(torn, new FileInfo(files[^1]).Length); // the tail was recovered by cutting
            Assert.Equal(60, opened.LogEndOffset);
            Assert.Contains(logger.Lines, l => l.Contains("Quarantined segment", StringComparison.Ordinal) && l.Contains(Path.GetFileName(middle), StringComparison.Ordinal));
        }
        finally
        {
            opened.Dispose();
        }
    }

    [Fact]
    public void After_a_crash_replay_starts_at_the_newest_segment_with_a_roll_snapshot()
    {
        using var log = new LogUnderTest(SmallSegments);
        for (var i = 0; i < 30; i++)
        {
            log.Append(records: 2);
        }

        var before = Snapshot(log.Log);
        log.Log.Dispose(); // a crash
        var lastBase = long.Parse(Path.GetFileNameWithoutExtension(StorageBatches.LastLogFile(log.Directory)), System.Globalization.CultureInfo.InvariantCulture);
        var asked = new List<long?>();
        var seen = new List<RecordBatchHeader>();
        var opened = Log.Open(log.Directory, log.Config, NullLogger.Instance, log.Time, seen.Add, offset =>
        {
            asked.Add(offset);
            return offset is not null;
        });
        try
        {
            Assert.Equal([lastBase], asked);
            Assert.NotEmpty(seen);
            Assert.All(seen, h => Assert.True(h.BaseOffset >= lastBase));
            Assert.Equal(before, Snapshot(opened));
        }
        finally
        {
            opened.Dispose();
        }
    }

    [Fact]
    public void Idempotence_survives_a_crash_with_producer_state_from_a_roll_snapshot_plus_replay()
    {
        using var directory = new TempDirectory();
        var topic = new Topic("t", Guid.NewGuid(), new TopicConfig(new Dictionary<string, string> { ["segment.bytes"] = "400" }, new BrokerConfig(0, null)));
        var partitionDirectory = Path.Combine(directory.Path, "t-0");
        byte[] Batch(int sequence) => new RecordBatchBuilder(0, producerId: 9, producerEpoch: 0, baseSequence: sequence).Add(1000 + sequence, null, new byte[40]).Build();
        var partition = new Partition(topic, 0, partitionDirectory, NullLogger.Instance, TimeProvider.System);
        for (var i = 0; i < 20; i++)
        {
            Assert.Equal(ErrorCode.None, partition.Append(Batch(i), allowZstd: false).Error);
        }

        partition.Dispose(); // a crash: no snapshot at shutdown, only those taken at rolls
        Assert.InRange(Directory.GetFiles(partitionDirectory, "*.producer-snapshot").Length, 1, 2);

        var reopened = new Partition(topic, 0, partitionDirectory, NullLogger.Instance, TimeProvider.System);
        try
        {
            Assert.Equal(20, reopened.HighWatermark);
            Assert.Equal(19, reopened.Append(Batch(19), allowZstd: false).BaseOffset); // a retry: answered with its offset
            Assert.Equal(ErrorCode.OutOfOrderSequenceNumber, reopened.Append(Batch(21), allowZstd: false).Error);
            Assert.Equal(20, reopened.Append(Batch(20), allowZstd: false).BaseOffset);
        }
        finally
        {
            reopened.Dispose();
        }
    }

    [Fact]
    public void A_corrupt_tail_after_a_clean_stop_is_copied_aside_before_the_log_continues_after_its_valid_prefix()
    {
        using var log = new LogUnderTest();
        for (var i = 0; i < 5; i++)
        {
            log.Append(records: 2);
        }

        log.Log.Close();
        var file = StorageBatches.LastLogFile(log.Directory);
        var original = File.ReadAllBytes(file);
        File.AppendAllBytes(file, new byte[30]); // garbage that is not a batch
        var logger = new ListLogger();

        log.CloseAndReopenFromIndexes(logger);

        Assert.Equal(original.Length + 30, new FileInfo(file + Log.QuarantinedSuffix).Length);
        Assert.Equal(original, File.ReadAllBytes(file));
        Assert.Equal(10, log.Log.LogEndOffset);
        Assert.Contains(logger.Lines, l => l.Contains(Log.QuarantinedSuffix, StringComparison.Ordinal));
    }

    [Fact]
    public void Max_timestamp_comes_from_the_time_index_and_respects_the_log_start_offset()
    {
        using var log = new LogUnderTest(SmallSegments);
        var timestamps = new[] { 50, 10, 900, 20, 30, 400, 5, 70, 60, 10, 800, 1 };
        foreach (var t in timestamps)
        {
            log.Append(records: 1, timestampOffsetMs: t);
        }

        var max = log.Log.FetchMaxTimestampOffset();
        Assert.Equal((log.NowMs + 900, 2L), max);

        log.Log.AdvanceLogStartOffset(3); // the record at 900 is now below the start
        Assert.Equal((log.NowMs + 800, 10L), log.Log.FetchMaxTimestampOffset());

        log.CloseAndReopenFromIndexes();
        Assert.Equal((log.NowMs + 800, 10L), log.Log.FetchMaxTimestampOffset());
    }

    [Fact]
    public async Task Index_reads_during_appends_always_see_a_consistent_prefix()
    {
        using var log = new LogUnderTest(("segment.bytes", "1000000"), ("index.interval.bytes", "1"));
        const int Batches = 20_000;
        var failures = 0;
        using var stop = new CancellationTokenSource();
        var readers = Enumerable.Range(0, 2).Select(_ => Task.Run(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                // The end offset is published just before its batch's bytes; everything below it is complete.
                var end = log.Log.LogEndOffset - 1;
                if (end <= 0)
                {
                    continue;
                }

                var target = Random.Shared.NextInt64(end);
                var slice = log.Log.Locate(target, 1 << 20, minOneBatch: true);
                var byTime = log.Log.FetchOffsetByTimestamp(LogUnderTest.Start.ToUnixTimeMilliseconds() + target);
                var max = log.Log.FetchMaxTimestampOffset();
                if (slice is null || slice.Value.FirstBatchOffset != target || byTime is null || byTime.Value.Offset != target || max is null || max.Value.Offset < target)
                {
                    Interlocked.Increment(ref failures);
                }
            }
        })).ToList();

        for (var i = 0; i < Batches; i++)
        {
            // One record per batch, timestamp = start + offset: every lookup has exactly one right answer.
            var batch = StorageBatches.Build(i, LogUnderTest.Start.ToUnixTimeMilliseconds() + i);
            log.Log.Append(batch, RecordBatchHeader.Read(batch), log.Config);
        }

        stop.Cancel();
        await Task.WhenAll(readers);
        Assert.Equal(0, failures);
    }

    [Fact]
    public void Rolled_segments_hold_no_file_handle_until_read_and_release_it_when_idle()
    {
        using var log = new LogUnderTest(SmallSegments);
        for (var i = 0; i < 30; i++)
        {
            log.Append(records: 2);
        }

        log.CloseAndReopen();
        var segments = log.Log.AllBatches().Select(b => b.Segment).Distinct().ToList();
        Assert.True(segments.Count >= 4);

        // AllBatches read them all; release and check only the active one stays open.
        Assert.Equal(segments.Count - 1, log.Log.ReleaseIdleHandles(0));
        Assert.All(segments[..^1], s => Assert.False(s.HasOpenHandle));
        Assert.True(segments[^1].HasOpenHandle);

        Assert.NotNull(log.Log.Locate(0, 1 << 20, minOneBatch: true));
        Assert.True(segments[0].HasOpenHandle);
        Assert.Equal(0, log.Log.ReleaseIdleHandles(60_000));
    }

    [Fact]
    public void Producer_state_snapshot_round_trips_and_a_damaged_one_is_refused()
    {
        using var directory = new TempDirectory();
        var path = Path.Combine(directory.Path, "snapshot");
        var state = new ProducerStateManager();
        for (var i = 0; i < 7; i++)
        {
            var batch = new RecordBatchBuilder(i * 2, producerId: 42, producerEpoch: 3, baseSequence: i * 2).Add(1000 + i, null, new byte[1]).Add(1000 + i, null, new byte[1]).Build();
            state.Update(RecordBatchHeader.Read(batch), 5000);
        }

        state.WriteSnapshot(path);
        var restored = new ProducerStateManager();
        Assert.True(restored.TryLoadSnapshot(path));
        var retry = RecordBatchHeader.Read(new RecordBatchBuilder(0, producerId: 42, producerEpoch: 3, baseSequence: 12).Add(1, null, new byte[1]).Add(1, null, new byte[1]).Build());
        Assert.Equal(12, restored.Check(retry).DuplicateOf?.FirstOffset);
        var next = RecordBatchHeader.Read(new RecordBatchBuilder(0, producerId: 42, producerEpoch: 3, baseSequence: 15).Add(1, null, new byte[1]).Build());
        Assert.Equal(ErrorCode.OutOfOrderSequenceNumber, restored.Check(next).Error);

        var bytes = File.ReadAllBytes(path);
        bytes[10] ^= 1;
        File.WriteAllBytes(path, bytes);
        Assert.False(new ProducerStateManager().TryLoadSnapshot(path));
    }

    [Fact]
    public void A_damaged_producer_id_file_is_set_aside_and_ids_continue_far_above_the_old_ones()
    {
        using var directory = new TempDirectory();
        var first = new ProducerIdManager(directory.Path);
        Assert.Equal(0, first.NextId());
        File.WriteAllText(Path.Combine(directory.Path, "producer-id-block"), "10\u0000\u0000garbage");
        var logger = new ListLogger();

        var second = new ProducerIdManager(directory.Path, logger, new FakeTimeProvider(LogUnderTest.Start));

        Assert.True(second.NextId() > 1_000_000_000_000);
        Assert.Single(Directory.GetFiles(directory.Path, "producer-id-block.*-quarantined"));
        Assert.Contains(logger.Lines, l => l.Contains("producer-id-block", StringComparison.Ordinal) && l.Contains("damaged", StringComparison.Ordinal));
    }

    [Fact]
    public void A_broken_topic_metadata_file_quarantines_that_topic_and_the_others_are_served()
    {
        using var directory = new TempDirectory();
        var broker = new BrokerConfig(0, null);
        using (var logs = new LogManager(directory.Path, broker, NullLoggerFactory.Instance, TimeProvider.System))
        {
            logs.Load();
            Assert.Equal(ErrorCode.None, logs.CreateTopic("good", 2, new Dictionary<string, string?>(), false).Error);
            Assert.Equal(ErrorCode.None, logs.CreateTopic("bad", 2, new Dictionary<string, string?>(), false).Error);
            Append(logs.GetPartition("bad", 0)!);
        }

        var meta = Path.Combine(directory.Path, "meta", "topics", "bad.json");
        File.WriteAllText(meta, File.ReadAllText(meta)[..20]); // a torn write by some other tool
        var loggers = new ListLoggerFactory();
        using (var logs = new LogManager(directory.Path, broker, loggers, TimeProvider.System))
        {
            logs.Load();
            Assert.NotNull(logs.GetTopic("good"));
            Assert.Null(logs.GetTopic("bad"));
            Assert.Contains(loggers.Lines, l => l.Contains("bad.json", StringComparison.Ordinal) && l.Contains("Quarantined topic bad", StringComparison.Ordinal));
            Assert.False(File.Exists(meta));
            Assert.Single(Directory.GetFiles(Path.Combine(directory.Path, "meta", "topics"), "bad.json.*-quarantined"));
            Assert.Single(Directory.GetDirectories(directory.Path, "bad-0.*-quarantined"));

            // The name is free again, and starts empty.
            Assert.Equal(ErrorCode.None, logs.CreateTopic("bad", 1, new Dictionary<string, string?>(), false).Error);
            Assert.Equal(0, logs.GetPartition("bad", 0)!.HighWatermark);
        }
    }

    [Fact]
    public void Partition_directories_no_metadata_names_are_removed_when_empty_and_set_aside_when_not()
    {
        using var directory = new TempDirectory();
        var broker = new BrokerConfig(0, null);
        using (var logs = new LogManager(directory.Path, broker, NullLoggerFactory.Instance, TimeProvider.System))
        {
            logs.Load();
            logs.CreateTopic("lost", 1, new Dictionary<string, string?>(), false);
            Append(logs.GetPartition("lost", 0)!);
        }

        // A crash between creating the partitions of "half" and writing its metadata leaves empty directories.
        Directory.CreateDirectory(Path.Combine(directory.Path, "half-0"));
        File.WriteAllBytes(Path.Combine(directory.Path, "half-0", "00000000000000000000.log"), []);
        File.Delete(Path.Combine(directory.Path, "meta", "topics", "lost.json"));

        using (var logs = new LogManager(directory.Path, broker, NullLoggerFactory.Instance, TimeProvider.System))
        {
            logs.Load();
            Assert.False(Directory.Exists(Path.Combine(directory.Path, "half-0")));
            Assert.False(Directory.Exists(Path.Combine(directory.Path, "lost-0")));
            Assert.Single(Directory.GetDirectories(directory.Path, "lost-0.*-quarantined"));
            Assert.Empty(logs.Topics);
        }
    }

    [Fact]
    public void A_topic_name_of_249_characters_is_created_written_reloaded_and_deleted_on_disk()
    {
        using var directory = new TempDirectory();
        var broker = new BrokerConfig(0, null);
        var name = new string('n', 240) + ".abc_-XYZ";
        Assert.Equal(249, name.Length);
        using (var logs = new LogManager(directory.Path, broker, NullLoggerFactory.Instance, TimeProvider.System))
        {
            logs.Load();
            Assert.Equal(ErrorCode.None, logs.CreateTopic(name, 12, new Dictionary<string, string?>(), false).Error);
            Append(logs.GetPartition(name, 11)!);
            Assert.Equal(ErrorCode.None, logs.SetTopicConfigs(name, new Dictionary<string, string?> { ["retention.ms"] = "1000" }, false).Error);
        }

        using (var logs = new LogManager(directory.Path, broker, NullLoggerFactory.Instance, TimeProvider.System))
        {
            logs.Load();
            Assert.Equal(1, logs.GetPartition(name, 11)!.HighWatermark);
            Assert.Equal(ErrorCode.None, logs.DeleteTopic(name).Error);
        }

        Assert.Equal(["meta"], Directory.GetDirectories(directory.Path).Select(Path.GetFileName));
    }

    [Fact]
    public void The_format_version_is_recorded_for_new_and_old_directories_and_a_newer_one_is_refused()
    {
        using var fresh = new TempDirectory();
        Assert.Equal(DataDirectoryFormat.Current, DataDirectoryFormat.CheckAndUpgrade(fresh.Path, NullLogger.Instance));
        var versionFile = Path.Combine(fresh.Path, "meta", DataDirectoryFormat.FileName);
        Assert.Equal($"{DataDirectoryFormat.Current}\n", File.ReadAllText(versionFile));

        using var old = new TempDirectory();
        Directory.CreateDirectory(Path.Combine(old.Path, "meta"));
        File.WriteAllText(Path.Combine(old.Path, "meta", "meta.properties"), "version=1\ncluster.id=x\n");
        var logger = new ListLogger();
        Assert.Equal(1, DataDirectoryFormat.CheckAndUpgrade(old.Path, logger));
        Assert.Contains(logger.Lines, l => l.Contains("from on-disk format version 1 to 2", StringComparison.Ordinal));
        Assert.Equal(DataDirectoryFormat.Current, DataDirectoryFormat.CheckAndUpgrade(old.Path, NullLogger.Instance));

        File.WriteAllText(versionFile, "3\n");
        var error = Assert.Throws<InvalidDataException>(() => DataDirectoryFormat.CheckAndUpgrade(fresh.Path, NullLogger.Instance));
        Assert.Contains("format version 3", error.Message, StringComparison.Ordinal);
        Assert.Contains($"version {DataDirectoryFormat.Current}", error.Message, StringComparison.Ordinal);
    }

    private static void Append(Partition partition)
    {
        var result = partition.Append(StorageBatches.Build(0, 1000), allowZstd: false);
        Assert.Equal(ErrorCode.None, result.Error);
    }

    private static string Hash(string path) => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(path)));

    /// <summary>What a reader can observe of a log: ends, every batch, and lookups by offset and time.</summary>
    private static string Snapshot(Log log)
    {
        var parts = new List<string> { $"{log.LogStartOffset}-{log.LogEndOffset}", $"max {log.FetchMaxTimestampOffset()}" };
        foreach (var (segment, position, header) in log.AllBatches())
        {
            parts.Add($"{segment.BaseOffset}:{position}:{header.BaseOffset}:{header.MaxTimestamp}:{segment.LargestTimestamp}:{segment.NextOffset}:{segment.RollingTimestamp}");
        }

        for (var offset = 0L; offset < log.LogEndOffset; offset++)
        {
            parts.Add($"o{offset}={log.Locate(offset, 1 << 20, minOneBatch: true)?.FirstBatchOffset}");
            parts.Add($"t{offset}={log.FetchOffsetByTimestamp(LogUnderTest.Start.ToUnixTimeMilliseconds() + (offset * 5))}");
        }

        return string.Join('\n', parts);
    }

    private sealed class ListLogger : ILogger
    {
        public List<string> Lines { get; } = [];

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (Lines)
            {
                Lines.Add(formatter(state, exception));
            }
        }
    }

    private sealed class ListLoggerFactory : ILoggerFactory
    {
        private readonly ListLogger _logger = new();

        public List<string> Lines => _logger.Lines;

        public void AddProvider(ILoggerProvider provider)
        {
        }

        public ILogger CreateLogger(string categoryName) => _logger;

        public void Dispose()
        {
        }
    }
}
