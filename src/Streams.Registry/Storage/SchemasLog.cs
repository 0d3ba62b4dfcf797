using System.Diagnostics;
using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Microsoft.Extensions.Logging;
using Streams.Registry.Model;
using Streams.Registry.Schemas;

namespace Streams.Registry.Storage;

/// <summary>
/// The <c>_schemas</c> topic: one partition, compacted. Writes go through an idempotent <c>acks=all</c> producer;
/// a reader thread applies every record, this instance's and any other's, to <see cref="RegistryState"/> in offset
/// order. A write returns only once the reader has applied it, so the HTTP answer always reflects the log.
/// </summary>
internal sealed partial class SchemasLog : IAsyncDisposable
{
    private readonly string _topic;
    private readonly IProducer<byte[], byte[]?> _producer;
    private readonly IConsumer<byte[], byte[]?> _consumer;
    private readonly RegistryState _state;
    private readonly ILogger _logger;
    private readonly Lock _waitersGate = new();
    private readonly List<(long Offset, TaskCompletionSource<bool> Applied)> _waiters = [];
    private readonly Dictionary<long, bool> _outcomes = [];
    private readonly CancellationTokenSource _stop = new();
    private Thread? _reader;
    private long _nextOffset;
    private Exception? _readerFailure;

    private SchemasLog(SchemaRegistryOptions options, RegistryState state, ILogger logger)
    {
        _topic = options.Topic;
        _state = state;
        _logger = logger;
        _producer = new ProducerBuilder<byte[], byte[]?>(KafkaClientConfigs.Producer(options)).Build();
        _consumer = new ConsumerBuilder<byte[], byte[]?>(KafkaClientConfigs.Consumer(options)).Build();
    }

    /// <summary>Creates the topic if needed and reads it to the end before returning, so the first answer is complete.</summary>
    public static async Task<SchemasLog> OpenAsync(SchemaRegistryOptions options, RegistryState state, ILogger logger, CancellationToken cancellationToken)
    {
        // The producer and consumer are built first: each connects to the broker in the background while the topic
        // is checked, and the check reuses the consumer's connections instead of starting an admin client of its own.
        var log = new SchemasLog(options, state, logger);
        try
        {
            await EnsureTopicAsync(log._consumer.Handle, options, logger).ConfigureAwait(false);
            var partition = new TopicPartition(options.Topic, 0);
            var end = await HighWatermarkAsync(log._consumer, partition, options.KafkaTimeout).ConfigureAwait(false);
            log._consumer.Assign(new TopicPartitionOffset(partition, Offset.Beginning));
            log._reader = new Thread(log.ReadLoop) { IsBackground = true, Name = "schemas-log-reader" };
            log._reader.Start();
            if (end > 0)
            {
                await log.WaitAppliedAsync(end - 1, cancellationToken).ConfigureAwait(false);
            }

            LogLoaded(logger, options.Topic, end, state.MaxId);
            return log;
        }
        catch
        {
            await log.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Appends records (in order) and waits until they are applied; true for each record the state accepted.</summary>
    public async Task<bool[]> AppendAsync(IReadOnlyList<LogRecord> records, CancellationToken cancellationToken)
    {
        var deliveries = new List<Task<DeliveryResult<byte[], byte[]?>>>(records.Count);
        foreach (var record in records)
        {
            var (key, value) = LogRecords.Encode(record);
            deliveries.Add(_producer.ProduceAsync(_topic, new Message<byte[], byte[]?> { Key = key, Value = value }, cancellationToken));
        }

        var results = await Task.WhenAll(deliveries).ConfigureAwait(false);
        var outcomes = new bool[results.Length];
        for (var i = 0; i < results.Length; i++)
        {
            outcomes[i] = await WaitAppliedAsync(results[i].Offset.Value, cancellationToken).ConfigureAwait(false);
        }

        return outcomes;
    }

    private Task<bool> WaitAppliedAsync(long offset, CancellationToken cancellationToken)
    {
        lock (_waitersGate)
        {
            if (_readerFailure is not null)
            {
                return Task.FromException<bool>(new InvalidOperationException("the _schemas reader stopped", _readerFailure));
            }

            if (offset < _nextOffset)
            {
                return Task.FromResult(_outcomes.Remove(offset, out var outcome) ? outcome : true);
            }

            var applied = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((offset, applied));
            return applied.Task.WaitAsync(cancellationToken);
        }
    }

    // Confluent.Kafka's Consume blocks, so the reader owns a thread rather than a pool thread.
    private void ReadLoop()
    {
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                var result = _consumer.Consume(TimeSpan.FromMilliseconds(200));
                if (result is null || result.IsPartitionEOF)
                {
                    continue;
                }

                var applied = true;
                var decoded = LogRecords.Decode(result.Message.Key, result.Message.Value);
                if (decoded.Error is null && decoded.Record is SchemaRecord { Schema: { } schema } && Unparsable(schema) is { } why)
                {
                    decoded = Decoded.Malformed(why);
                }

                if (decoded.Error is { } error)
                {
                    // As Confluent's registry: a record nobody can read is skipped, not fatal. Stopping would stop
                    // again at every start, and anyone able to write the topic could keep the registry down.
                    LogMalformed(_logger, result.Topic, result.Partition.Value, result.Offset.Value, error);
                    applied = false;
                }
                else if (decoded.Record is { } record)
                {
                    applied = _state.Apply(record);
                }

                Advance(result.Offset.Value, applied);
            }
        }
        catch (Exception ex) when (ex is KafkaException or ObjectDisposedException)
        {
            if (!_stop.IsCancellationRequested)
            {
                LogReaderFailed(_logger, ex);
                Fail(ex);
            }
        }
    }

    /// <summary>
    /// Why a stored schema cannot be used, or null. Only what the Avro parser refuses counts: the stricter checks for
    /// new registrations do not apply to the log, or a schema registered before they existed would disappear.
    /// </summary>
    private string? Unparsable(StoredSchema schema)
    {
        if (schema.SchemaType is not ("AVRO" or JsonSchemas.Type or ProtobufSchemas.Type))
        {
            return $"schema type {schema.SchemaType} is not supported by this registry";
        }

        // The same schema under another subject or version was parsed when first read.
        if (_state.SchemaById(schema.Id) is { } known && known.Schema == schema.Schema)
        {
            return null;
        }

        if (_state.NamedReferences(schema.References, out var error) is not { } references)
        {
            return $"schema {schema.Id}: {error}";
        }

        try
        {
            if (schema.SchemaType == JsonSchemas.Type)
            {
                JsonSchemas.Parse(schema.Schema, references);
                return null;
            }

            if (schema.SchemaType == ProtobufSchemas.Type)
            {
                ProtobufSchemas.Parse(schema.Schema, references);
                return null;
            }

            AvroSchemas.Parse(schema.Schema, references.ConvertAll(r => r.Text));
            return null;
        }
        catch (InvalidSchemaException ex)
        {
            return $"schema {schema.Id}: {ex.Message}";
        }
    }

    private void Advance(long offset, bool applied)
    {
        List<(long, TaskCompletionSource<bool>)> done;
        lock (_waitersGate)
        {
            _nextOffset = offset + 1;
            done = [.. _waiters.Where(w => w.Offset <= offset)];
            _waiters.RemoveAll(w => w.Offset <= offset);
            if (!applied && !done.Any(w => w.Item1 == offset))
            {
                // A writer may not be waiting yet (its delivery report can arrive after the read); keep the verdict.
                _outcomes[offset] = false;
            }
        }

        foreach (var (waitedOffset, tcs) in done)
        {
            tcs.TrySetResult(waitedOffset != offset || applied);
        }
    }

    private void Fail(Exception ex)
    {
        List<(long, TaskCompletionSource<bool>)> waiting;
        lock (_waitersGate)
        {
            _readerFailure = ex;
            waiting = [.. _waiters];
            _waiters.Clear();
        }

        foreach (var (_, tcs) in waiting)
        {
            tcs.TrySetException(ex);
        }
    }

    private static async Task EnsureTopicAsync(Handle client, SchemaRegistryOptions options, ILogger logger)
    {
        // A consumer's handle: its metadata requests never auto-create a topic (a producer's may, with default configs).
        // The topic is looked up first and created only when missing: on every start after the first it exists, and
        // a CreateTopics answered TOPIC_ALREADY_EXISTS cost ~100 ms of the registry's start (the refused request and
        // the exception it becomes).
        using var admin = new DependentAdminClientBuilder(client).Build();
        var topic = admin.GetMetadata(options.Topic, options.KafkaTimeout).Topics.Single();
        if (topic.Error.Code == ErrorCode.UnknownTopicOrPart)
        {
            try
            {
                await admin.CreateTopicsAsync(
                    [new TopicSpecification
                    {
                        Name = options.Topic,
                        NumPartitions = 1,
                        ReplicationFactor = options.TopicReplicationFactor,
                        Configs = new Dictionary<string, string> { ["cleanup.policy"] = "compact" },
                    }],
                    new CreateTopicsOptions { RequestTimeout = options.KafkaTimeout }).ConfigureAwait(false);
                LogTopicCreated(logger, options.Topic);
            }
            catch (CreateTopicsException ex) when (ex.Results.All(r => r.Error.Code == ErrorCode.TopicAlreadyExists))
            {
                // Another registry instance created it in between.
            }
        }

        // A topic just created (here or by another instance) may not be in every broker's metadata, or have a leader, yet.
        var waited = Stopwatch.StartNew();
        while (NotReady(topic) && waited.Elapsed < options.KafkaTimeout)
        {
            topic = admin.GetMetadata(options.Topic, options.KafkaTimeout).Topics.Single();
            if (NotReady(topic))
            {
                await Task.Delay(TimeSpan.FromMilliseconds(100)).ConfigureAwait(false);
            }
        }

        if (topic.Error.IsError)
        {
            throw new KafkaException(topic.Error);
        }

        if (topic.Partitions.Count != 1)
        {
            // Ids and versions are ordered by the log; with several partitions there is no single order.
            throw new InvalidOperationException($"Topic {options.Topic} has {topic.Partitions.Count} partitions; the schema registry needs exactly 1.");
        }

        static bool NotReady(TopicMetadata topic) => topic.Error.Code is ErrorCode.UnknownTopicOrPart or ErrorCode.LeaderNotAvailable;
    }

    /// <summary>
    /// The partition's high watermark. Right after the topic was created, the consumer's own view of it can lag the
    /// metadata just read through its handle (librdkafka updates its topic objects on its main thread), and the query
    /// then fails locally with UNKNOWN_PARTITION for a moment (seen in CI: a fresh registry failed to start).
    /// </summary>
    private static async Task<long> HighWatermarkAsync(IConsumer<byte[], byte[]?> consumer, TopicPartition partition, TimeSpan timeout)
    {
        var waited = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                return consumer.QueryWatermarkOffsets(partition, timeout).High.Value;
            }
            catch (KafkaException ex) when (ex.Error.Code == ErrorCode.Local_UnknownPartition && waited.Elapsed < timeout)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(50)).ConfigureAwait(false);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        if (_reader is not null)
        {
            await Task.Run(() => _reader.Join()).ConfigureAwait(false);
        }

        Fail(new ObjectDisposedException(nameof(SchemasLog)));
        _consumer.Close();
        _consumer.Dispose();
        _producer.Flush(TimeSpan.FromSeconds(5));
        _producer.Dispose();
        _stop.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Created topic {Topic} (1 partition, compacted)")]
    private static partial void LogTopicCreated(ILogger logger, string topic);

    [LoggerMessage(Level = LogLevel.Information, Message = "Read {Topic} to offset {End}: highest schema id {MaxId}")]
    private static partial void LogLoaded(ILogger logger, string topic, long end, int maxId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Skipped malformed record in {Topic} partition {Partition} offset {Offset}: {Reason}")]
    private static partial void LogMalformed(ILogger logger, string topic, int partition, long offset, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "The _schemas reader stopped; writes will fail until restart")]
    private static partial void LogReaderFailed(ILogger logger, Exception exception);
}
