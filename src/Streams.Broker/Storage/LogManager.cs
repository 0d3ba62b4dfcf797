using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Streams.Broker.Configs;
using Streams.Broker.Protocol;

namespace Streams.Broker.Storage;

/// <summary>
/// Owns every topic and partition under the data directory: creation, deletion, config changes (persisted as
/// <c>meta/topics/&lt;topic&gt;.json</c>), start-up recovery, and the background retention and flush work.
/// </summary>
internal sealed partial class LogManager : IDisposable
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true };
    private static readonly TimeSpan DeleteGrace = TimeSpan.FromSeconds(2);

    private readonly ConcurrentDictionary<string, Topic> _topics = new(StringComparer.Ordinal);
    private readonly Lock _adminLock = new();
    private readonly ILogger _logger;
    private readonly ILoggerFactory _loggerFactory;
    private readonly TimeProvider _time;
    private readonly ConcurrentQueue<(LogSegment Segment, DateTimeOffset DeleteAt)> _doomedSegments = new();
    private readonly string _metaDirectory;

    public LogManager(string dataDirectory, BrokerConfig broker, ILoggerFactory loggerFactory, TimeProvider time)
    {
        DataDirectory = Path.GetFullPath(dataDirectory);
        Broker = broker;
        _loggerFactory = loggerFactory;
        _logger = loggerFactory.CreateLogger<LogManager>();
        _time = time;
        _metaDirectory = Path.Combine(DataDirectory, "meta", "topics");
    }

    public string DataDirectory { get; }

    public BrokerConfig Broker { get; }

    public IEnumerable<Topic> Topics => _topics.Values;

    public Topic? GetTopic(string name) => _topics.GetValueOrDefault(name);

    public Partition? GetPartition(string topic, int partition) => GetTopic(topic)?[partition];

    /// <summary>Restores every persisted topic, recovering each partition log; removes leftovers of interrupted deletes.</summary>
    public void Load()
    {
        Directory.CreateDirectory(_metaDirectory);
        foreach (var file in Directory.EnumerateFiles(_metaDirectory, "*.json"))
        {
            var meta = JsonSerializer.Deserialize<TopicMetadata>(File.ReadAllText(file), Json)
                ?? throw new InvalidDataException($"Empty topic metadata file {file}");
            var topic = new Topic(meta.Name, meta.Id, new TopicConfig(meta.Configs, Broker));
            topic.SetPartitions([.. Enumerable.Range(0, meta.Partitions).Select(i => OpenPartition(topic, i))]);
            _topics[meta.Name] = topic;
        }

        foreach (var directory in Directory.EnumerateDirectories(DataDirectory))
        {
            var name = Path.GetFileName(directory);
            if (name.EndsWith(".deleted", StringComparison.Ordinal))
            {
                Directory.Delete(directory, recursive: true);
            }
        }

        LogLoaded(_logger, _topics.Count, DataDirectory);
    }

    private Partition OpenPartition(Topic topic, int index) =>
        new(topic, index, PartitionDirectory(topic.Name, index), _loggerFactory.CreateLogger<Partition>(), _time);

    private string PartitionDirectory(string topic, int partition) =>
        Path.Combine(DataDirectory, $"{topic}-{partition.ToString(CultureInfo.InvariantCulture)}");

    /// <summary>Creates a topic (or only checks it when <paramref name="validateOnly"/>). It is visible to Metadata before this returns.</summary>
    public TopicResult CreateTopic(string name, int partitions, IReadOnlyDictionary<string, string?> configs, bool validateOnly)
    {
        if (TopicNames.Validate(name) is { } nameError)
        {
            return new(ErrorCode.InvalidTopicException, nameError);
        }

        if (partitions <= 0)
        {
            return new(ErrorCode.InvalidPartitions, $"Number of partitions must be larger than 0, got {partitions}");
        }

        if (TopicConfig.Validate(configs) is { } configError)
        {
            return new(ErrorCode.InvalidConfig, configError);
        }

        lock (_adminLock)
        {
            if (_topics.ContainsKey(name))
            {
                return new(ErrorCode.TopicAlreadyExists, $"Topic '{name}' already exists.");
            }

            if (validateOnly)
            {
                return new(ErrorCode.None, null);
            }

            var overrides = configs.ToDictionary(c => c.Key, c => TopicConfigDefs.Find(c.Key)!.Normalize(c.Value!), StringComparer.Ordinal);
            var topic = new Topic(name, Guid.NewGuid(), new TopicConfig(overrides, Broker));
            Persist(topic, partitions);
            topic.SetPartitions([.. Enumerable.Range(0, partitions).Select(i => OpenPartition(topic, i))]);
            _topics[name] = topic;
            LogTopicCreated(_logger, name, partitions);
            return new(ErrorCode.None, null);
        }
    }

    public TopicResult DeleteTopic(string name)
    {
        lock (_adminLock)
        {
            if (!_topics.TryRemove(name, out var topic))
            {
                return new(ErrorCode.UnknownTopicOrPartition, $"Topic '{name}' does not exist.");
            }

            File.Delete(MetadataPath(name));
            foreach (var partition in topic.Partitions)
            {
                partition.Dispose();
                var directory = PartitionDirectory(name, partition.Index);
                var doomed = directory + "." + Guid.NewGuid().ToString("N") + ".deleted";
                Directory.Move(directory, doomed);
                Directory.Delete(doomed, recursive: true);
            }

            LogTopicDeleted(_logger, name);
            return new(ErrorCode.None, null);
        }
    }

    public TopicResult CreatePartitions(string name, int count, bool validateOnly)
    {
        lock (_adminLock)
        {
            if (!_topics.TryGetValue(name, out var topic))
            {
                return new(ErrorCode.UnknownTopicOrPartition, $"Topic '{name}' does not exist.");
            }

            var current = topic.Partitions.Count;
            if (count <= current)
            {
                return new(ErrorCode.InvalidPartitions, $"Topic currently has {current} partitions, {count} would not be an increase.");
            }

            if (validateOnly)
            {
                return new(ErrorCode.None, null);
            }

            Persist(topic, count);
            topic.SetPartitions([.. topic.Partitions, .. Enumerable.Range(current, count - current).Select(i => OpenPartition(topic, i))]);
            return new(ErrorCode.None, null);
        }
    }

    /// <summary>Replaces the topic's overrides with <paramref name="overrides"/> (AlterConfigs semantics).</summary>
    public TopicResult SetTopicConfigs(string name, IReadOnlyDictionary<string, string?> overrides, bool validateOnly)
    {
        if (TopicConfig.Validate(overrides) is { } error)
        {
            return new(ErrorCode.InvalidConfig, error);
        }

        lock (_adminLock)
        {
            if (!_topics.TryGetValue(name, out var topic))
            {
                return new(ErrorCode.UnknownTopicOrPartition, $"Topic '{name}' does not exist.");
            }

            if (validateOnly)
            {
                return new(ErrorCode.None, null);
            }

            var normalized = overrides.ToDictionary(c => c.Key, c => TopicConfigDefs.Find(c.Key)!.Normalize(c.Value!), StringComparer.Ordinal);
            topic.Config = new TopicConfig(normalized, Broker);
            Persist(topic, topic.Partitions.Count);
            return new(ErrorCode.None, null);
        }
    }

    private string MetadataPath(string topic) => Path.Combine(_metaDirectory, topic + ".json");

    private void Persist(Topic topic, int partitions)
    {
        var meta = new TopicMetadata(topic.Name, topic.Id, partitions, new Dictionary<string, string>(topic.Config.Overrides));
        FileUtil.WriteAtomically(MetadataPath(topic.Name), JsonSerializer.Serialize(meta, Json));
    }

    /// <summary>Runs retention (every <c>log.retention.check.interval.ms</c>) and time-based flushing until stopped.</summary>
    public async Task RunMaintenanceAsync(CancellationToken cancellationToken)
    {
        // Compaction runs beside this loop, on its own schedule (LogManager.Cleaner.cs).
        var cleaning = StartCleaner(cancellationToken);
        var flushInterval = TimeSpan.FromMilliseconds(Math.Max(10, Broker.LogFlushSchedulerInterval.TotalMilliseconds));
        var retentionInterval = TimeSpan.FromMilliseconds(Math.Max(10, Broker.LogRetentionCheckInterval.TotalMilliseconds));
        long producerExpiration = Broker.ProducerIdExpirationMs;
        var tick = flushInterval < retentionInterval ? flushInterval : retentionInterval;
        var nextRetention = _time.GetUtcNow() + retentionInterval;
        using var timer = new PeriodicTimer(tick, _time);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                var now = _time.GetUtcNow();
                var retentionDue = now >= nextRetention;
                if (retentionDue)
                {
                    nextRetention = now + retentionInterval;
                }

                MaintainAll(retentionDue, producerExpiration, now);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }

        await cleaning.ConfigureAwait(false);
    }

    private void MaintainAll(bool retentionDue, long producerExpiration, DateTimeOffset now)
    {
        foreach (var topic in _topics.Values)
        {
            foreach (var partition in topic.Partitions)
            {
                try
                {
                    foreach (var segment in partition.Maintain(retentionDue, producerExpiration))
                    {
                        LogSegmentDeleted(_logger, topic.Name, partition.Index, segment.BaseOffset);
                        _doomedSegments.Enqueue((segment, now + DeleteGrace));
                    }
                }
                catch (ObjectDisposedException)
                {
                    // The topic was deleted while we looked at it.
                }
                catch (IOException ex)
                {
                    LogMaintenanceFailed(_logger, ex, topic.Name, partition.Index);
                }
            }
        }

        // Readers take a snapshot of the segment list; a short grace lets in-flight fetches finish before the file goes.
        while (_doomedSegments.TryPeek(out var doomed) && doomed.DeleteAt <= now && _doomedSegments.TryDequeue(out doomed))
        {
            doomed.Segment.Delete();
        }
    }

    /// <summary>Clean shutdown of every partition (fsync, indexes, clean marker).</summary>
    public void Close()
    {
        lock (_adminLock)
        {
            foreach (var topic in _topics.Values)
            {
                foreach (var partition in topic.Partitions)
                {
                    partition.Close();
                }
            }

            while (_doomedSegments.TryDequeue(out var doomed))
            {
                doomed.Segment.Delete();
            }

            _topics.Clear();
        }
    }

    public void Dispose() => Close();

    [LoggerMessage(Level = LogLevel.Information, Message = "Loaded {Count} topics from {Directory}")]
    private static partial void LogLoaded(ILogger logger, int count, string directory);

    [LoggerMessage(Level = LogLevel.Information, Message = "Created topic {Topic} with {Partitions} partitions")]
    private static partial void LogTopicCreated(ILogger logger, string topic, int partitions);

    [LoggerMessage(Level = LogLevel.Information, Message = "Deleted topic {Topic}")]
    private static partial void LogTopicDeleted(ILogger logger, string topic);

    [LoggerMessage(Level = LogLevel.Information, Message = "Retention removed segment {BaseOffset} of {Topic}-{Partition}")]
    private static partial void LogSegmentDeleted(ILogger logger, string topic, int partition, long baseOffset);

    [LoggerMessage(Level = LogLevel.Error, Message = "Maintenance of {Topic}-{Partition} failed")]
    private static partial void LogMaintenanceFailed(ILogger logger, Exception exception, string topic, int partition);
}

/// <summary>Outcome of a topic admin operation, with Kafka's error code and message.</summary>
internal readonly record struct TopicResult(ErrorCode Error, string? Message);
