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
    private static readonly TimeSpan DeleteGrace = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Rolled segments close their file handle after this long unread, so the number of open files follows what
    /// is being read, not what is stored (1,000 partitions with many segments each would otherwise exhaust fds).
    /// </summary>
    private const long IdleSegmentHandleMs = 10_000;

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
        broker.DynamicChanged += ApplyBrokerDefaults;
    }

    public string DataDirectory { get; }

    public BrokerConfig Broker { get; }

    public IEnumerable<Topic> Topics => _topics.Values;

    public Topic? GetTopic(string name) => _topics.GetValueOrDefault(name);

    public Partition? GetPartition(string topic, int partition) => GetTopic(topic)?[partition];

    /// <summary>
    /// Restores every persisted topic, recovering each partition log; removes leftovers of interrupted deletes and
    /// creates. A topic whose metadata file is unreadable or whose partitions fail to open is quarantined (its files
    /// set aside with a "-quarantined" suffix, an error naming the file and the reason) and the others are served:
    /// one damaged topic must not keep the broker from starting.
    /// </summary>
    public void Load()
    {
        Directory.CreateDirectory(_metaDirectory);
        var topics = new List<(string File, TopicMetadata Meta, Topic Topic)>();
        foreach (var file in Directory.EnumerateFiles(_metaDirectory, "*.json"))
        {
            var fileTopic = Path.GetFileNameWithoutExtension(file);
            try
            {
                var meta = ReadMetadata(file, fileTopic);
                topics.Add((file, meta, new Topic(meta.Name, meta.Id, new TopicConfig(meta.Configs, Broker))));
            }
            catch (Exception ex) when (IsStorageProblem(ex))
            {
                QuarantineTopic(fileTopic, file, partitions: null, ex.Message);
            }
        }

        // Partitions recover independently (after a crash each rescans its active segment and rebuilds its indexes),
        // so all of them, across topics, open in parallel: a start is bounded by the cores, not by the partition count.
        var opened = topics.Select(t => new Partition?[t.Meta.Partitions]).ToArray();
        var failures = topics.Select(_ => new ConcurrentDictionary<int, Exception>()).ToArray();
        var work = topics.SelectMany((t, topicIndex) => Enumerable.Range(0, t.Meta.Partitions).Select(partition => (topicIndex, partition))).ToList();
        Parallel.ForEach(work, item =>
        {
            var (topicIndex, partition) = item;
            try
            {
                opened[topicIndex][partition] = OpenPartition(topics[topicIndex].Topic, partition);
            }
            catch (Exception ex) when (IsStorageProblem(ex))
            {
                failures[topicIndex][partition] = ex;
            }
        });

        for (var t = 0; t < topics.Count; t++)
        {
            var (file, meta, topic) = topics[t];
            if (!failures[t].IsEmpty)
            {
                foreach (var partition in opened[t])
                {
                    partition?.Dispose();
                }

                var first = failures[t].MinBy(f => f.Key);
                QuarantineTopic(meta.Name, file, meta.Partitions, $"partition {first.Key} failed to open: {first.Value.Message}");
                continue;
            }

            topic.SetPartitions([.. opened[t].Select(p => p!)]);
            _topics[meta.Name] = topic;
        }

        foreach (var directory in Directory.EnumerateDirectories(DataDirectory))
        {
            var name = Path.GetFileName(directory);
            if (name.EndsWith(".deleted", StringComparison.Ordinal))
            {
                Directory.Delete(directory, recursive: true);
            }
            else if (IsOrphanPartition(name))
            {
                SetAsideOrphan(directory);
            }
        }

        LogLoaded(_logger, _topics.Count, DataDirectory);
    }

    /// <summary>Reads and checks one topic metadata file: parseable, named as its file, a valid name, partitions and configs.</summary>
    private TopicMetadata ReadMetadata(string file, string fileTopic)
    {
        var meta = JsonSerializer.Deserialize(File.ReadAllText(file), TopicMetadataJsonContext.Default.TopicMetadata)
            ?? throw new InvalidDataException("the file is empty");
        if (meta.Name != fileTopic)
        {
            throw new InvalidDataException($"it names topic '{meta.Name}' but the file is for '{fileTopic}'");
        }

        if (TopicNames.Validate(meta.Name) is { } nameError)
        {
            throw new InvalidDataException(nameError);
        }

        if (meta.Partitions <= 0)
        {
            throw new InvalidDataException($"it has {meta.Partitions} partitions");
        }

        if (meta.Configs is null)
        {
            throw new InvalidDataException("it has no configs");
        }

        if (TopicConfig.Validate(meta.Configs.Select(c => new KeyValuePair<string, string?>(c.Key, c.Value))) is { } configError)
        {
            throw new InvalidDataException(configError);
        }

        return meta;
    }

    private static bool IsStorageProblem(Exception ex) =>
        ex is IOException or UnauthorizedAccessException or JsonException or InvalidDataException or FormatException or ArgumentException or OverflowException or NotSupportedException;

    /// <summary>Sets a topic's metadata file and partition directories aside so it is not served and its name can be created afresh.</summary>
    private void QuarantineTopic(string name, string metadataFile, int? partitions, string reason)
    {
        var suffix = FileUtil.QuarantineSuffix(_time.GetUtcNow());
        var aside = FileUtil.SiblingPath(metadataFile, suffix);
        File.Move(metadataFile, aside);
        var count = partitions ?? int.MaxValue;
        for (var i = 0; i < count; i++)
        {
            var directory = PartitionDirectory(name, i);
            if (!Directory.Exists(directory))
            {
                if (partitions is null)
                {
                    break;
                }

                continue;
            }

            Directory.Move(directory, FileUtil.SiblingPath(directory, suffix));
        }

        LogTopicQuarantined(_logger, name, metadataFile, reason, aside);
    }

    /// <summary>A directory that looks like a partition of no loaded topic (or beyond its partition count).</summary>
    private bool IsOrphanPartition(string name)
    {
        var dash = name.LastIndexOf('-');
        if (dash <= 0 || name == "meta" || !int.TryParse(name.AsSpan(dash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var index))
        {
            return false;
        }

        var topic = name[..dash];
        return TopicNames.Validate(topic) is null && (!_topics.TryGetValue(topic, out var loaded) || index >= loaded.Partitions.Count);
    }

    /// <summary>
    /// A partition directory without topic metadata is what a crash between creating the partitions and writing
    /// the metadata leaves: nothing was ever acknowledged in it, so an empty one is removed. One holding records
    /// (its metadata file was lost) is set aside instead, never deleted.
    /// </summary>
    private void SetAsideOrphan(string directory)
    {
        var hasRecords = Directory.EnumerateFiles(directory, "*.log").Any(f => new FileInfo(f).Length > 0);
        if (!hasRecords)
        {
            Directory.Delete(directory, recursive: true);
            LogOrphanRemoved(_logger, directory);
            return;
        }

        var aside = FileUtil.SiblingPath(directory, FileUtil.QuarantineSuffix(_time.GetUtcNow()));
        Directory.Move(directory, aside);
        LogOrphanQuarantined(_logger, directory, aside);
    }

    private Partition OpenPartition(Topic topic, int index) =>
        new(topic, index, PartitionDirectory(topic.Name, index), _loggerFactory.CreateLogger<Partition>(), _time);

    /// <summary>Opens a partition that must start empty: a leftover directory of the same name is set aside first.</summary>
    private Partition OpenNewPartition(Topic topic, int index)
    {
        var directory = PartitionDirectory(topic.Name, index);
        if (Directory.Exists(directory))
        {
            SetAsideOrphan(directory);
        }

        return OpenPartition(topic, index);
    }

    private void DiscardNewPartitions(List<Partition> created)
    {
        foreach (var partition in created)
        {
            partition.Dispose();
            try
            {
                Directory.Delete(partition.Log.Directory, recursive: true);
            }
            catch (IOException)
            {
                // Left empty: the next start removes partition directories that no metadata names.
            }
        }
    }

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

            // Partitions first, metadata last: a crash in between leaves only empty partition directories, which
            // the next start removes, never a topic whose metadata promises partitions that cannot open.
            var created = new List<Partition>();
            try
            {
                for (var i = 0; i < partitions; i++)
                {
                    created.Add(OpenNewPartition(topic, i));
                }

                Persist(topic, partitions);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                DiscardNewPartitions(created);
                return new(ErrorCode.KafkaStorageError, $"Could not create topic '{name}': {ex.Message}");
            }

            topic.SetPartitions([.. created]);
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
                var doomed = FileUtil.SiblingPath(directory, "." + Guid.NewGuid().ToString("N")[..8] + ".deleted");
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

            var created = new List<Partition>();
            try
            {
                for (var i = current; i < count; i++)
                {
                    created.Add(OpenNewPartition(topic, i));
                }

                Persist(topic, count);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                DiscardNewPartitions(created);
                return new(ErrorCode.KafkaStorageError, $"Could not add partitions to '{name}': {ex.Message}");
            }

            topic.SetPartitions([.. topic.Partitions, .. created]);
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

    /// <summary>
    /// Dynamic broker configs changed: every topic's effective config is rebuilt on the new broker defaults (its own
    /// overrides unchanged), and the cleaner takes up its new pace and memory before its next cleaning.
    /// </summary>
    private void ApplyBrokerDefaults()
    {
        lock (_adminLock)
        {
            foreach (var topic in _topics.Values)
            {
                topic.Config = new TopicConfig(topic.Config.Overrides, Broker);
            }
        }

        Cleaner?.Reconfigure(Broker.LogCleanerDedupeBufferSize, Broker.LogCleanerIoMaxBytesPerSecond);
    }

    private string MetadataPath(string topic) => Path.Combine(_metaDirectory, topic + ".json");

    private void Persist(Topic topic, int partitions)
    {
        var meta = new TopicMetadata(topic.Name, topic.Id, partitions, new Dictionary<string, string>(topic.Config.Overrides));
        FileUtil.WriteAtomically(MetadataPath(topic.Name), JsonSerializer.Serialize(meta, TopicMetadataJsonContext.Default.TopicMetadata));
    }

    /// <summary>Runs retention (every <c>log.retention.check.interval.ms</c>) and time-based flushing until stopped.</summary>
    public async Task RunMaintenanceAsync(CancellationToken cancellationToken)
    {
        // Compaction runs beside this loop, on its own schedule (LogManager.Cleaner.cs).
        var cleaning = StartCleaner(cancellationToken);
        var flushInterval = TimeSpan.FromMilliseconds(Math.Max(10, Broker.LogFlushSchedulerInterval.TotalMilliseconds));
        var retentionInterval = TimeSpan.FromMilliseconds(Math.Max(10, Broker.LogRetentionCheckInterval.TotalMilliseconds));
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

                // Read every tick: producer.id.expiration.ms is a dynamic broker config.
                MaintainAll(retentionDue, Broker.ProducerIdExpirationMs, now);
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
                    partition.ReleaseIdleHandles(IdleSegmentHandleMs);
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

    [LoggerMessage(Level = LogLevel.Error, Message = "Quarantined topic {Topic}: {File} cannot be used because {Reason}; it is not served, its files are kept as {Aside} (and its partition directories with the same suffix)")]
    private static partial void LogTopicQuarantined(ILogger logger, string topic, string file, string reason, string aside);

    [LoggerMessage(Level = LogLevel.Information, Message = "Removed {Directory}: an empty partition directory no topic metadata names (an interrupted topic creation)")]
    private static partial void LogOrphanRemoved(ILogger logger, string directory);

    [LoggerMessage(Level = LogLevel.Error, Message = "Set aside {Directory} as {Aside}: it holds records but no topic metadata names it")]
    private static partial void LogOrphanQuarantined(ILogger logger, string directory, string aside);

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
