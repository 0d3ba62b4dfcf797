using System.Diagnostics;
using System.Globalization;
using System.Text;
using Avro.Specific;
using Confluent.Kafka;
using Confluent.SchemaRegistry;
using Microsoft.Extensions.Logging;
using Streams.Messaging.Diagnostics;
using Streams.Messaging.Serialization;

namespace Streams.Messaging.Consuming;

/// <summary>
/// Runs one consumer group: reads contract events from its topics, continues the producer's trace for each, hands
/// it to the handler, and commits only what was handled (at least once). Partitions are handled in parallel, each by
/// its own worker, one record after another (so per-key order holds); a rebalance or shutdown lets each worker finish
/// the record in hand and commits what was handled before the partitions move. A record that cannot be deserialized,
/// or whose handler throws, goes to the dead-letter topic with the reason in headers instead of stopping the group.
/// </summary>
public sealed partial class EventConsumer : IDisposable
{
    private static readonly TimeSpan StopGrace = TimeSpan.FromSeconds(30);

    private readonly EventConsumerOptions _options;
    private readonly Func<ConsumedEvent, CancellationToken, Task> _handler;
    private readonly ILogger _logger;
    private readonly AvroEventDeserializer<ISpecificRecord> _deserializer;
    private readonly IConsumer<string, byte[]> _consumer;
    private readonly DeadLetterWriter _deadLetters;

    // Touched only by the consume loop, and by the rebalance callbacks that librdkafka runs inside its Consume call.
    private readonly Dictionary<TopicPartition, PartitionWorker> _workers = [];

    /// <summary>Creates the consumer; it joins the group when <see cref="RunAsync"/> starts.</summary>
    /// <param name="options">Group, topics, retries and Kafka settings.</param>
    /// <param name="registry">Where the writers' schemas are read.</param>
    /// <param name="handler">Called once per event, partitions in parallel and each partition in order.</param>
    /// <param name="logger">Retries, dead letters and rebalances.</param>
    public EventConsumer(EventConsumerOptions options, ISchemaRegistryClient registry, Func<ConsumedEvent, CancellationToken, Task> handler, ILogger logger)
    {
        _options = options;
        _handler = handler;
        _logger = logger;
        _deserializer = new AvroEventDeserializer<ISpecificRecord>(registry);
        var config = new ConsumerConfig(new Dictionary<string, string>(options.Kafka))
        {
            BootstrapServers = options.BootstrapServers,
            GroupId = options.GroupId,
            AutoOffsetReset = options.AutoOffsetReset,
            EnableAutoCommit = true,
            EnableAutoOffsetStore = false, // only handled records are committed
            // Named after the group unless configured, so group descriptions tell the members of different groups apart.
            ClientId = options.Kafka.TryGetValue("client.id", out var clientId) ? clientId : options.GroupId,
        };
        _consumer = new ConsumerBuilder<string, byte[]>(config)
            .SetPartitionsAssignedHandler((consumer, partitions) =>
            {
                foreach (var partition in partitions)
                {
                    _workers[partition] = new PartitionWorker(partition, options.BufferPerPartition, HandleAsync);
                }

                options.AssignmentChanged?.Invoke(_workers.Count);
            })
            .SetPartitionsRevokedHandler((consumer, partitions) =>
            {
                // Runs inside Consume and must finish before the partitions move: a synchronous wait is the contract.
                var revoked = partitions.Select(p => p.TopicPartition).ToList();
                StopWorkersAsync(revoked).GetAwaiter().GetResult();
                var progress = ReleaseWorkers(revoked);
                CommitRevoked(progress);
                LogRevoked(_logger, options.GroupId, revoked.Count, progress.Count);
            })
            .SetPartitionsLostHandler((consumer, partitions) =>
            {
                // Lost, not revoked: another member may already own them, so nothing is committed for them.
                var lost = partitions.Select(p => p.TopicPartition).ToList();
                StopWorkersAsync(lost).GetAwaiter().GetResult();
                ReleaseWorkers(lost);
            })
            .Build();
        _deadLetters = new DeadLetterWriter(new ProducerConfig(new Dictionary<string, string>(options.Kafka)) { BootstrapServers = options.BootstrapServers, ClientId = config.ClientId + "/dead-letters" }, options.DeadLetterTopic);
    }

    /// <summary>Consumes until <paramref name="cancellationToken"/> fires, then finishes in-flight records, commits and leaves the group.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        _consumer.Subscribe(_options.Topics);
        try
        {
            // librdkafka's Consume blocks and has no asynchronous form: the loop gets a thread of its own instead of
            // holding a pool thread per poll, which the partition workers and everything else in the process need.
            await Task.Factory.StartNew(() => Consume(cancellationToken), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default).ConfigureAwait(false);
        }
        finally
        {
            List<TopicPartition> all = [.. _workers.Keys];
            await StopWorkersAsync(all).ConfigureAwait(false);
            foreach (var handled in ReleaseWorkers(all))
            {
                _consumer.StoreOffset(handled);
            }

            _consumer.Close(); // commits the stored offsets and leaves the group
        }
    }

    private void Consume(CancellationToken cancellationToken)
    {
        Thread.CurrentThread.Name = $"consume/{_options.GroupId}";
        while (!cancellationToken.IsCancellationRequested)
        {
            StoreHandledOffsets();
            ResumeDrainedPartitions();

            // Returns as soon as a record is there; the bound keeps handled offsets stored while workers are busy.
            var record = _consumer.Consume(TimeSpan.FromMilliseconds(100));
            if (record?.Message is null || !_workers.TryGetValue(record.TopicPartition, out var worker))
            {
                continue;
            }

            if (!worker.Enqueue(record) && !worker.Paused)
            {
                _consumer.Pause([record.TopicPartition]);
                worker.Paused = true;
            }
        }
    }

    /// <summary>Stores each worker's progress for the next auto-commit, and rethrows what stopped a worker.</summary>
    private void StoreHandledOffsets()
    {
        foreach (var worker in _workers.Values)
        {
            if (worker.Completion.IsFaulted)
            {
                worker.Completion.GetAwaiter().GetResult();
            }

            var handled = worker.HandledUpTo;
            if (handled > worker.Stored)
            {
                _consumer.StoreOffset(new TopicPartitionOffset(worker.Partition, handled));
                worker.Stored = handled;
                var watermarks = _consumer.GetWatermarkOffsets(worker.Partition);
                if (watermarks.High.Value >= 0)
                {
                    MessagingTelemetry.RecordLag(_options.GroupId, worker.Partition.Topic, worker.Partition.Partition.Value, watermarks.High.Value - handled);
                }
            }
        }
    }

    private void ResumeDrainedPartitions()
    {
        foreach (var worker in _workers.Values)
        {
            if (worker.Drain() && worker.Paused)
            {
                _consumer.Resume([worker.Partition]);
                worker.Paused = false;
            }
        }
    }

    /// <summary>Lets the workers of <paramref name="partitions"/> finish the record in hand.</summary>
    private Task StopWorkersAsync(IReadOnlyList<TopicPartition> partitions) =>
        Task.WhenAll(partitions.Where(_workers.ContainsKey).Select(p => _workers[p].StopAsync(StopGrace)));

    /// <summary>Forgets the stopped workers of <paramref name="partitions"/>; returns how far each got (the offsets to commit).</summary>
    private List<TopicPartitionOffset> ReleaseWorkers(IReadOnlyList<TopicPartition> partitions)
    {
        var progress = new List<TopicPartitionOffset>();
        foreach (var worker in partitions.Where(_workers.ContainsKey).Select(p => _workers[p]).ToList())
        {
            _workers.Remove(worker.Partition);
            if (worker.Paused)
            {
                // A pause outlives the assignment in librdkafka: unpaused, the partition's next owner (maybe us) reads it.
                _consumer.Resume([worker.Partition]);
            }

            MessagingTelemetry.ForgetLag(_options.GroupId, worker.Partition.Topic, worker.Partition.Partition.Value);
            if (worker.Completion.IsFaulted)
            {
                LogWorkerFailed(_logger, worker.Partition.Topic, worker.Partition.Partition.Value, _options.GroupId, worker.Completion.Exception!.GetBaseException().Message);
            }

            if (worker.HandledUpTo >= 0)
            {
                progress.Add(new TopicPartitionOffset(worker.Partition, worker.HandledUpTo));
            }
        }

        _options.AssignmentChanged?.Invoke(_workers.Count);
        return progress;
    }

    /// <summary>Commits the progress of revoked partitions now, before they move; at worst their next owner repeats some records.</summary>
    private void CommitRevoked(List<TopicPartitionOffset> progress)
    {
        if (progress.Count == 0)
        {
            return;
        }

        try
        {
            // Stored as well: with auto-commit on, librdkafka commits the stored offsets itself when it unassigns,
            // and an older stored offset would move the committed one back behind what was handled.
            foreach (var handled in progress)
            {
                _consumer.StoreOffset(handled);
            }

            _consumer.Commit(progress);
        }
        catch (KafkaException ex)
        {
            LogCommitFailed(_logger, _options.GroupId, ex.Error.Reason);
        }
    }

    private async Task HandleAsync(ConsumeResult<string, byte[]> record, CancellationToken cancellationToken)
    {
        var parent = TraceHeaders.Extract(record.Message.Headers);
        using var activity = MessagingTelemetry.ActivitySource.StartActivity($"process {record.Topic}", ActivityKind.Consumer, parent);
        activity?.SetTag("messaging.system", MessagingTelemetry.System);
        activity?.SetTag("messaging.operation.type", "process");
        activity?.SetTag("messaging.operation.name", "process");
        activity?.SetTag("messaging.destination.name", record.Topic);
        activity?.SetTag("messaging.consumer.group.name", _options.GroupId);
        activity?.SetTag("messaging.destination.partition.id", record.Partition.Value.ToString(CultureInfo.InvariantCulture));
        activity?.SetTag("messaging.kafka.offset", record.Offset.Value);
        activity?.SetTag("messaging.kafka.message.key", record.Message.Key);
        MessagingTelemetry.ConsumedMessages.Add(1, new TagList { { "messaging.system", MessagingTelemetry.System }, { "messaging.destination.name", record.Topic }, { "messaging.consumer.group.name", _options.GroupId } });

        ISpecificRecord @event;
        try
        {
            @event = await _deserializer.DeserializeAsync(record.Message.Value, record.Message.Value is null, new SerializationContext(MessageComponentType.Value, record.Topic, record.Message.Headers)).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is InvalidDataException or Avro.AvroException or SchemaRegistryException)
        {
            await DeadLetterAsync(record, "deserialization-failed", ex, activity).ConfigureAwait(false);
            return;
        }

        var consumed = new ConsumedEvent(@event, record.Topic, record.Partition.Value, record.Offset.Value, record.Message.Key, record.Message.Timestamp.UtcDateTime, record.Message.Headers);
        var started = Stopwatch.GetTimestamp();
        // A loop rather than a Polly retry pipeline: the log line needs the record, the dead-letter reason needs the
        // attempt count, and MaxAttempts = 1 (no retry) is valid here but not for Polly's MaxRetryAttempts (>= 1).
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await _handler(consumed, cancellationToken).ConfigureAwait(false);
                break;
            }
            catch (Exception ex) when (ex is not OperationCanceledException && _options.IsTransient(ex) && attempt < _options.MaxAttempts)
            {
                var delay = TimeSpan.FromMilliseconds(Math.Min(_options.RetryBackoff.TotalMilliseconds * Math.Pow(2, attempt - 1), 5000));
                LogRetrying(_logger, record.Topic, record.Partition.Value, record.Offset.Value, attempt, delay.TotalMilliseconds, ex.Message);
                await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                await DeadLetterAsync(record, attempt > 1 ? "handler-failed-after-retries" : "handler-failed", ex, activity).ConfigureAwait(false);
                break;
            }
        }

        MessagingTelemetry.ProcessDuration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds, new TagList { { "messaging.system", MessagingTelemetry.System }, { "messaging.destination.name", record.Topic }, { "messaging.consumer.group.name", _options.GroupId } });
    }

    private async Task DeadLetterAsync(ConsumeResult<string, byte[]> record, string reason, Exception exception, Activity? activity)
    {
        activity?.SetStatus(ActivityStatusCode.Error, reason);
        activity?.SetTag("error.type", exception.GetType().FullName);
        LogDeadLettered(_logger, record.Topic, record.Partition.Value, record.Offset.Value, _options.GroupId, reason, exception.Message);

        // Acknowledged before the original offset is stored: a crash here re-reads the record, it never loses it.
        await _deadLetters.WriteAsync(new DeadLetter(
            record.Topic,
            record.Partition.Value,
            record.Offset.Value,
            record.Message.Key is null ? null : Encoding.UTF8.GetBytes(record.Message.Key),
            record.Message.Value,
            record.Message.Headers,
            reason,
            exception,
            _options.GroupId)).ConfigureAwait(false);
    }

    /// <summary>Closes the dead-letter producer and the consumer.</summary>
    public void Dispose()
    {
        _deadLetters.Dispose();
        _consumer.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Group {GroupId}: {Partitions} partitions revoked; committed the progress of {Committed}")]
    private static partial void LogRevoked(ILogger logger, string groupId, int partitions, int committed);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Group {GroupId} could not commit before a rebalance ({Error}); the partitions' next owner may repeat some records")]
    private static partial void LogCommitFailed(ILogger logger, string groupId, string error);

    [LoggerMessage(Level = LogLevel.Error, Message = "The worker of {Topic}-{Partition} in group {GroupId} failed: {Error}")]
    private static partial void LogWorkerFailed(ILogger logger, string topic, int partition, string groupId, string error);

    [LoggerMessage(Level = LogLevel.Information, Message = "Retrying {Topic}-{Partition}@{Offset} (attempt {Attempt}) in {DelayMs} ms: {Error}")]
    private static partial void LogRetrying(ILogger logger, string topic, int partition, long offset, int attempt, double delayMs, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Dead-lettered {Topic}-{Partition}@{Offset} in group {GroupId}: {Reason}: {Error}")]
    private static partial void LogDeadLettered(ILogger logger, string topic, int partition, long offset, string groupId, string reason, string error);
}

/// <summary>An event as a consumer group receives it, with where it came from.</summary>
public sealed record ConsumedEvent(ISpecificRecord Event, string Topic, int Partition, long Offset, string? Key, DateTime Timestamp, Headers Headers);
