using System.Diagnostics;
using System.Runtime.CompilerServices;
using Avro.Specific;
using Confluent.Kafka;
using Confluent.SchemaRegistry;
using Streams.Messaging.Consuming;
using Streams.Messaging.Serialization;

namespace Streams.Consumers.Notifications;

/// <summary>
/// The notification topics read directly, for what the live stream cannot give: where the log ends now (a new
/// client's starting point) and the records a reconnecting client missed. Assign-only consumers, no group, no commits.
/// </summary>
public sealed class NotificationLog : IDisposable
{
    /// <summary>
    /// The readers' made-up group ids start with this: they never join or commit, but librdkafka still looks up the
    /// group's coordinator, which a broker with ACLs allows only to a principal that may describe the group.
    /// </summary>
    public const string GroupPrefix = "streams-notifications-";

    private static readonly TimeSpan QueryTimeout = TimeSpan.FromSeconds(10);

    private readonly Dictionary<string, string> _settings;
    private readonly IReadOnlyList<string> _topics;
    private readonly AvroEventDeserializer<ISpecificRecord> _deserializer;
    private readonly Lazy<IAdminClient> _admin;
    private readonly Lazy<IConsumer<byte[]?, byte[]?>> _watermarks;
    private readonly Lock _queryLock = new();
    private WatermarkQuery? _nextQuery;

    /// <summary>Reads <paramref name="topics"/> with the librdkafka <paramref name="settings"/> (bootstrap, security, client.id).</summary>
    public NotificationLog(IEnumerable<KeyValuePair<string, string>> settings, ISchemaRegistryClient registry, IReadOnlyList<string> topics)
    {
        _settings = settings.ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
        _topics = topics;
        _deserializer = new AvroEventDeserializer<ISpecificRecord>(registry);
        _admin = new(() => new AdminClientBuilder(new AdminClientConfig(new Dictionary<string, string>(_settings))).Build());
        _watermarks = new(CreateConsumer);
    }

    /// <summary>
    /// Every partition of the notification topics with its log start and end offsets, read after this call began.
    /// Concurrent callers share one query (one that starts after they asked): a burst of connecting clients would
    /// otherwise each block a thread-pool thread on librdkafka, and the embedded broker in the same process serves
    /// its connections from that pool (found by the fan-out benchmark: 50 clients at once starved it for 10 s).
    /// </summary>
    public Task<IReadOnlyDictionary<(string Topic, int Partition), WatermarkOffsets>> WatermarksAsync(CancellationToken cancellationToken)
    {
        var askedAt = Stopwatch.GetTimestamp();
        lock (_queryLock)
        {
            if (_nextQuery is not { } next || Volatile.Read(ref next.StartedAt) < askedAt)
            {
                // The latest query began before this caller asked (its answer may predate the caller's subscription):
                // a new one follows it, and callers arriving until it starts share it.
                next = new WatermarkQuery();
                next.Result = RunQueryAfterAsync(_nextQuery?.Result, next);
                _nextQuery = next;
            }

            return next.Result.WaitAsync(cancellationToken);
        }
    }

    private async Task<IReadOnlyDictionary<(string Topic, int Partition), WatermarkOffsets>> RunQueryAfterAsync(Task? previous, WatermarkQuery query)
    {
        if (previous is not null)
        {
            await previous.ContinueWith(static _ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default).ConfigureAwait(false);
        }

        // librdkafka's metadata and watermark queries block; they run off the caller's thread, one query at a time.
        return await Task.Run<IReadOnlyDictionary<(string Topic, int Partition), WatermarkOffsets>>(() =>
        {
            Volatile.Write(ref query.StartedAt, Stopwatch.GetTimestamp());
            var result = new Dictionary<(string, int), WatermarkOffsets>();
            foreach (var topic in _topics)
            {
                var metadata = _admin.Value.GetMetadata(topic, QueryTimeout).Topics.Single();
                foreach (var partition in metadata.Partitions)
                {
                    result[(topic, partition.PartitionId)] = _watermarks.Value.QueryWatermarkOffsets(new TopicPartition(topic, partition.PartitionId), QueryTimeout);
                }
            }

            return result;
        }).ConfigureAwait(false);
    }

    /// <summary>One shared watermark query; <see cref="StartedAt"/> stays at the maximum until it begins.</summary>
    private sealed class WatermarkQuery
    {
        public long StartedAt = long.MaxValue;

        public Task<IReadOnlyDictionary<(string Topic, int Partition), WatermarkOffsets>> Result = null!;
    }

    /// <summary>
    /// The records in <paramref name="ranges"/> (from inclusive, to exclusive), each partition in order: the
    /// notification each one makes, or null for a record that makes none (another event type, or one that cannot be read).
    /// </summary>
    public async IAsyncEnumerable<(string Topic, int Partition, long Offset, Notification? Notification)> ReadAsync(
        IReadOnlyDictionary<(string Topic, int Partition), (long From, long To)> ranges,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var pending = ranges.Where(r => r.Value.From < r.Value.To).ToDictionary(r => new TopicPartition(r.Key.Topic, r.Key.Partition), r => r.Value.To);
        if (pending.Count == 0)
        {
            yield break;
        }

        using var consumer = CreateConsumer();
        consumer.Assign(pending.Keys.Select(p => new TopicPartitionOffset(p, ranges[(p.Topic, p.Partition.Value)].From)));
        try
        {
            while (pending.Count > 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
                // No asynchronous poll in librdkafka: a short one on the thread pool keeps the request thread free.
                var record = await Task.Run(() => consumer.Consume(TimeSpan.FromMilliseconds(200)), cancellationToken).ConfigureAwait(false);
                if (record is { IsPartitionEOF: true })
                {
                    // At the end: whatever the range named beyond it (removed by retention or compaction) is not there.
                    pending.Remove(record.TopicPartition);
                    continue;
                }

                if (record is null || !pending.TryGetValue(record.TopicPartition, out var to))
                {
                    continue;
                }

                if (record.Offset.Value < to)
                {
                    yield return (record.Topic, record.Partition.Value, record.Offset.Value, await NotificationOfAsync(record).ConfigureAwait(false));
                }

                if (record.Offset.Value + 1 >= to)
                {
                    pending.Remove(record.TopicPartition);
                }
            }
        }
        finally
        {
            consumer.Close();
        }
    }

    private async Task<Notification?> NotificationOfAsync(ConsumeResult<byte[]?, byte[]?> record)
    {
        try
        {
            var @event = await _deserializer.DeserializeAsync(record.Message.Value, record.Message.Value is null, new SerializationContext(MessageComponentType.Value, record.Topic, record.Message.Headers)).ConfigureAwait(false);
            var key = record.Message.Key is null ? null : System.Text.Encoding.UTF8.GetString(record.Message.Key);
            return Notifier.ToNotification(new ConsumedEvent(@event, record.Topic, record.Partition.Value, record.Offset.Value, key, record.Message.Timestamp.UtcDateTime, record.Message.Headers ?? []));
        }
        catch (Exception e) when (e is InvalidDataException or Avro.AvroException or SchemaRegistryException)
        {
            // The notifier group dead-lettered it; live clients never saw it either.
            return null;
        }
    }

    private IConsumer<byte[]?, byte[]?> CreateConsumer()
    {
        var config = new ConsumerConfig(new Dictionary<string, string>(_settings))
        {
            GroupId = GroupPrefix + Guid.NewGuid().ToString("N"),
            EnableAutoCommit = false,
            EnableAutoOffsetStore = false,
            EnablePartitionEof = true,
        };
        config.Set("fetch.queue.backoff.ms", "10");
        return new ConsumerBuilder<byte[]?, byte[]?>(config).Build();
    }

    /// <summary>Closes the shared clients.</summary>
    public void Dispose()
    {
        if (_watermarks.IsValueCreated)
        {
            _watermarks.Value.Dispose();
        }

        if (_admin.IsValueCreated)
        {
            _admin.Value.Dispose();
        }
    }
}
