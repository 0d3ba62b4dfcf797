using Microsoft.Extensions.Logging;
using Streams.Broker.Protocol;
using Streams.Broker.Records;
using Streams.Broker.Storage;

namespace Streams.Broker.Groups;

/// <summary>
/// Durable group state in the internal topic <c>__consumer_offsets</c>: every commit, deletion (tombstone) and
/// group generation is appended as a record batch, and the whole topic is replayed on start. One partition is
/// enough for a single node (Kafka spreads groups over 50 only to spread coordinators over brokers). The topic is
/// created on first use, as Kafka does, so a broker that never sees a group has no extra topic.
/// </summary>
internal sealed partial class OffsetStore(LogManager logs, ILogger logger, TimeProvider time)
{
    public const string TopicName = TopicNames.ConsumerOffsets;

    private readonly Lock _createLock = new();

    /// <summary>Appends one batch (null value = tombstone). Called under the group's lock, so a group's records stay in order.</summary>
    public ErrorCode Append(IReadOnlyList<(byte[] Key, byte[]? Value)> records)
    {
        if (records.Count == 0)
        {
            return ErrorCode.None;
        }

        var partition = GetOrCreatePartition();
        if (partition is null)
        {
            return ErrorCode.CoordinatorNotAvailable;
        }

        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var builder = new RecordBatchBuilder();
        foreach (var (key, value) in records)
        {
            builder.Add(now, key, value is null ? null : (ReadOnlyMemory<byte>?)value);
        }

        try
        {
            var result = partition.Append(builder.Build(), allowZstd: false);
            if (result.Error != ErrorCode.None)
            {
                LogAppendFailed(logger, result.Error, result.Message);
            }

            return result.Error;
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException)
        {
            LogAppendException(logger, ex);
            return ErrorCode.KafkaStorageError;
        }
    }

    /// <summary>Creates the topic now (a client asked for it by name) with the settings the coordinator needs.</summary>
    public void EnsureCreated() => GetOrCreatePartition();

    private Partition? GetOrCreatePartition()
    {
        if (logs.GetPartition(TopicName, 0) is { } existing)
        {
            return existing;
        }

        lock (_createLock)
        {
            if (logs.GetPartition(TopicName, 0) is null)
            {
                var result = logs.CreateTopic(TopicName, 1, new Dictionary<string, string?>
                {
                    ["cleanup.policy"] = "compact",

                    // As Kafka's offsets.topic.segment.bytes: segments roll early so the cleaner can compact them.
                    ["segment.bytes"] = logs.Broker.OffsetsTopicSegmentBytes.ToString(System.Globalization.CultureInfo.InvariantCulture),
                }, validateOnly: false);
                if (result.Error is not (ErrorCode.None or ErrorCode.TopicAlreadyExists))
                {
                    LogCreateFailed(logger, result.Error, result.Message);
                }
            }

            return logs.GetPartition(TopicName, 0);
        }
    }

    /// <summary>Replays the topic: the last record per key wins, tombstones delete.</summary>
    public Dictionary<string, LoadedGroup> Load()
    {
        var groups = new Dictionary<string, LoadedGroup>(StringComparer.Ordinal);
        var partition = logs.GetPartition(TopicName, 0);
        if (partition is null)
        {
            return groups;
        }

        var records = 0;
        foreach (var (segment, position, header) in partition.Log.AllBatches())
        {
            if (header.IsControl)
            {
                continue;
            }

            var buffer = new byte[header.TotalSize];
            segment.Read(position, buffer);
            foreach (var record in RecordBatchReader.ReadRecords(buffer))
            {
                if (record.Key is not { } key)
                {
                    continue;
                }

                if (Consumer.ConsumerGroupRecords.ReadKey(key) is { } consumerKey)
                {
                    records++;
                    var consumerGroup = groups.TryGetValue(consumerKey.GroupId, out var known) ? known : groups[consumerKey.GroupId] = new LoadedGroup();
                    var id = Consumer.ConsumerGroupRecords.Id(consumerKey.Version, consumerKey.MemberId);
                    if (record.Value is { } consumerValue)
                    {
                        consumerGroup.ConsumerRecords[id] = new Consumer.StoredRecord(key.ToArray(), consumerValue.ToArray());
                    }
                    else
                    {
                        consumerGroup.ConsumerRecords.Remove(id);
                    }

                    continue;
                }

                if (OffsetRecords.ReadKey(key) is not { } decoded)
                {
                    continue;
                }

                records++;
                var group = groups.TryGetValue(decoded.Group, out var found) ? found : groups[decoded.Group] = new LoadedGroup();
                if (decoded.Partition is { } topicPartition)
                {
                    if (record.Value is { } value)
                    {
                        group.Offsets[topicPartition] = OffsetRecords.ReadOffsetValue(value);
                    }
                    else
                    {
                        group.Offsets.Remove(topicPartition);
                    }
                }
                else
                {
                    group.Metadata = record.Value is { } value ? OffsetRecords.ReadGroupValue(value) : null;
                }
            }
        }

        LogLoaded(logger, records, groups.Count);
        return groups;
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Appending to __consumer_offsets failed: {Error} {Message}")]
    private static partial void LogAppendFailed(ILogger logger, ErrorCode error, string? message);

    [LoggerMessage(Level = LogLevel.Error, Message = "Appending to __consumer_offsets failed")]
    private static partial void LogAppendException(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Error, Message = "Creating __consumer_offsets failed: {Error} {Message}")]
    private static partial void LogCreateFailed(ILogger logger, ErrorCode error, string? message);

    [LoggerMessage(Level = LogLevel.Information, Message = "Replayed {Records} records of __consumer_offsets into {Groups} groups")]
    private static partial void LogLoaded(ILogger logger, int records, int groups);
}

/// <summary>A group as <c>__consumer_offsets</c> remembers it.</summary>
internal sealed class LoadedGroup
{
    public Dictionary<TopicPartition, CommittedOffset> Offsets { get; } = [];

    public (string ProtocolType, int GenerationId, long StateTimestampMs, int MemberCount)? Metadata { get; set; }

    /// <summary>The last record of each KIP-848 key of the group (by <see cref="Consumer.ConsumerGroupRecords.Id"/>).</summary>
    public Dictionary<string, Consumer.StoredRecord> ConsumerRecords { get; } = new(StringComparer.Ordinal);
}
