using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Streams.Broker.Configs;
using Streams.Broker.Records;
using Streams.Broker.Storage;

namespace Streams.Broker.Tests.Storage;

/// <summary>A fresh directory per test, removed afterwards.</summary>
internal sealed class TempDirectory : IDisposable
{
    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "streams-unit-" + Guid.NewGuid().ToString("N"));

    public TempDirectory() => Directory.CreateDirectory(Path);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp directory is harmless; failing the test over it would not be.
        }
    }
}

/// <summary>One partition log on disk with a fake clock, and helpers to append batches stamped by that clock.</summary>
internal sealed class LogUnderTest : IDisposable
{
    public static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private readonly TempDirectory _directory = new();

    public LogUnderTest(params (string Name, string Value)[] overrides)
    {
        Config = new TopicConfig(overrides.ToDictionary(o => o.Name, o => o.Value), new BrokerConfig(0, null));
        Log = Open();
    }

    public FakeTimeProvider Time { get; } = new(Start);

    public TopicConfig Config { get; }

    public Log Log { get; private set; }

    public string Directory => _directory.Path;

    public long NowMs => Time.GetUtcNow().ToUnixTimeMilliseconds();

    public IReadOnlyList<string> SegmentFiles => [.. System.IO.Directory.EnumerateFiles(Directory, "*.log").Select(System.IO.Path.GetFileName).Order(StringComparer.Ordinal)!];

    /// <summary>Appends a batch of <paramref name="records"/> records stamped with the fake clock (plus <paramref name="timestampOffsetMs"/>).</summary>
    public RecordBatchHeader Append(int records = 1, long timestampOffsetMs = 0, int valueBytes = 16)
    {
        var batch = StorageBatches.Build(Log.LogEndOffset, NowMs + timestampOffsetMs, records, valueBytes);
        var header = RecordBatchHeader.Read(batch);
        Log.Append(batch, header, Config);
        return header;
    }

    /// <summary>Stops without the clean-shutdown marker, as a crash would, and opens the directory again.</summary>
    public List<RecordBatchHeader> CrashAndReopen(Action<string>? tamper = null)
    {
        Log.Dispose();
        tamper?.Invoke(Directory);
        return Reopen();
    }

    /// <summary>Clean shutdown, then open again.</summary>
    public List<RecordBatchHeader> CloseAndReopen()
    {
        Log.Close();
        return Reopen();
    }

    /// <summary>Clean shutdown, then open again as a partition with a producer-state snapshot does: from the index files.</summary>
    public List<RecordBatchHeader> CloseAndReopenFromIndexes(Microsoft.Extensions.Logging.ILogger? logger = null)
    {
        Log.Close();
        return Reopen(_ => true, logger);
    }

    private List<RecordBatchHeader> Reopen(Func<long?, bool>? restoreProducerState = null, Microsoft.Extensions.Logging.ILogger? logger = null)
    {
        var seen = new List<RecordBatchHeader>();
        Log = Open(seen.Add, restoreProducerState, logger);
        return seen;
    }

    private Log Open(Action<RecordBatchHeader>? onBatch = null, Func<long?, bool>? restoreProducerState = null, Microsoft.Extensions.Logging.ILogger? logger = null) =>
        Log.Open(Directory, Config, logger ?? NullLogger.Instance, Time, onBatch, restoreProducerState);

    public void Dispose()
    {
        Log.Dispose();
        _directory.Dispose();
    }
}

internal static class StorageBatches
{
    /// <summary>A valid batch at <paramref name="baseOffset"/>; record i is stamped <paramref name="timestamp"/> + i.</summary>
    public static byte[] Build(long baseOffset, long timestamp, int records = 1, int valueBytes = 16)
    {
        var builder = new RecordBatchBuilder(baseOffset);
        for (var i = 0; i < records; i++)
        {
            builder.Add(timestamp + i, null, new byte[valueBytes]);
        }

        return builder.Build();
    }

    /// <summary>Size on disk of a batch as <see cref="Build"/> makes it.</summary>
    public static int SizeOf(int records = 1, int valueBytes = 16) => Build(0, 0, records, valueBytes).Length;

    public static string LastLogFile(string directory) =>
        System.IO.Directory.EnumerateFiles(directory, "*.log").Order(StringComparer.Ordinal).Last();
}
