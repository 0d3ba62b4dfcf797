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
/// it to the handler, and commits only what was handled (at least once). A record that cannot be deserialized, or
/// whose handler throws, goes to the dead-letter topic with the reason in headers instead of stopping the group.
/// </summary>
public sealed partial class EventConsumer : IDisposable
{
    private readonly EventConsumerOptions _options;
    private readonly Func<ConsumedEvent, CancellationToken, Task> _handler;
    private readonly ILogger _logger;
    private readonly AvroEventDeserializer<ISpecificRecord> _deserializer;
    private readonly IConsumer<string, byte[]> _consumer;
    private readonly DeadLetterWriter _deadLetters;

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
        };
        _consumer = new ConsumerBuilder<string, byte[]>(config)
            .SetPartitionsAssignedHandler((consumer, partitions) => options.AssignmentChanged?.Invoke(consumer.Assignment.Count + partitions.Count))
            .SetPartitionsRevokedHandler((consumer, partitions) =>
            {
                foreach (var partition in partitions)
                {
                    MessagingTelemetry.ForgetLag(options.GroupId, partition.Topic, partition.Partition.Value);
                }

                options.AssignmentChanged?.Invoke(consumer.Assignment.Count - partitions.Count);
            })
            .Build();
        _deadLetters = new DeadLetterWriter(new ProducerConfig(new Dictionary<string, string>(options.Kafka)) { BootstrapServers = options.BootstrapServers }, options.DeadLetterTopic);
    }

    /// <summary>Consumes until <paramref name="cancellationToken"/> fires, then leaves the group cleanly.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        _consumer.Subscribe(_options.Topics);
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                // Poll without blocking while records flow; block on a pool thread only when the queue is empty.
                var record = _consumer.Consume(TimeSpan.Zero)
                    ?? await Task.Run(() => _consumer.Consume(cancellationToken), cancellationToken).ConfigureAwait(false);
                if (record?.Message is null)
                {
                    continue;
                }

                await HandleAsync(record, cancellationToken).ConfigureAwait(false);
                _consumer.StoreOffset(record);
                var watermarks = _consumer.GetWatermarkOffsets(record.TopicPartition);
                if (watermarks.High.Value >= 0)
                {
                    MessagingTelemetry.RecordLag(_options.GroupId, record.Topic, record.Partition.Value, watermarks.High.Value - record.Offset.Value - 1);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        finally
        {
            _consumer.Close();
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

    public void Dispose()
    {
        _deadLetters.Dispose();
        _consumer.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Retrying {Topic}-{Partition}@{Offset} (attempt {Attempt}) in {DelayMs} ms: {Error}")]
    private static partial void LogRetrying(ILogger logger, string topic, int partition, long offset, int attempt, double delayMs, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Dead-lettered {Topic}-{Partition}@{Offset} in group {GroupId}: {Reason}: {Error}")]
    private static partial void LogDeadLettered(ILogger logger, string topic, int partition, long offset, string groupId, string reason, string error);
}

/// <summary>An event as a consumer group receives it, with where it came from.</summary>
public sealed record ConsumedEvent(ISpecificRecord Event, string Topic, int Partition, long Offset, string? Key, DateTime Timestamp, Headers Headers);
