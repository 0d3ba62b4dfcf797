using System.Diagnostics;
using Avro.Specific;
using Confluent.Kafka;
using Confluent.SchemaRegistry;
using Confluent.SchemaRegistry.Serdes;
using Streams.Contracts.Topics;
using Streams.Messaging.Diagnostics;
using Streams.Messaging.Serialization;

namespace Streams.Messaging.Publishing;

/// <summary>
/// Publishes contract events to their catalog topic: keyed by their entity (so one entity's events stay ordered),
/// Avro through the schema registry, idempotent with acks=all, stamped with the event's own time, and carrying
/// its CloudEvents attributes (<see cref="Events.CloudEventHeaders"/>) and W3C trace context in headers. One instance
/// per application; thread-safe.
/// </summary>
public sealed class EventPublisher : IDisposable
{
    private int _disposed;
    private readonly IProducer<string, byte[]> _producer;
    private readonly Dictionary<SubjectNaming, AvroSerializer<ISpecificRecord>> _serializers;
    private readonly string _source;

    /// <summary>Creates the publisher and its producer.</summary>
    /// <param name="options">Kafka connection and settings, and whether schemas are registered automatically.</param>
    /// <param name="registry">Where the events' schemas are registered or looked up.</param>
    public EventPublisher(EventPublisherOptions options, ISchemaRegistryClient registry)
    {
        ArgumentNullException.ThrowIfNull(options);
        var config = new ProducerConfig(new Dictionary<string, string>(options.Kafka))
        {
            BootstrapServers = options.BootstrapServers,
            EnableIdempotence = true,
            Acks = Acks.All,
            // Java clients and Streamiz hash keys with murmur2; so must we, or one key lands in different partitions
            // depending on who wrote it, and per-key joins and ordering across topics break.
            Partitioner = Partitioner.Murmur2Random,
            ClientId = options.Kafka.TryGetValue("client.id", out var clientId) ? clientId : options.Source.Trim('/') + "/publisher",
            LingerMs = options.Kafka.TryGetValue("linger.ms", out var linger) ? double.Parse(linger, System.Globalization.CultureInfo.InvariantCulture) : 1,
        };
        _source = options.Source;
        _producer = new ProducerBuilder<string, byte[]>(config).Build();
        _serializers = Enum.GetValues<SubjectNaming>()
            .ToDictionary(s => s, s => new AvroSerializer<ISpecificRecord>(registry, s.ToSerializerConfig(options.AutoRegisterSchemas)));
    }

    /// <summary>Publishes one event and returns where it landed once the broker acknowledged it.</summary>
    public Task<EventDelivery> PublishAsync(ISpecificRecord @event, CancellationToken cancellationToken = default) =>
        PublishAsync(@event, causedBy: null, cancellationToken);

    /// <summary>
    /// Publishes one event caused by another (a reaction to <paramref name="causedBy"/>, read with
    /// <see cref="Events.EventMetadata.ReadFrom"/>): it carries the cause's id as causation and the cause's chain as
    /// correlation. Without a cause the event starts its own chain.
    /// </summary>
    public async Task<EventDelivery> PublishAsync(ISpecificRecord @event, Events.EventMetadata? causedBy, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(@event);
        var topic = TopicCatalog.For(@event.GetType());
        var key = EventFields.Key(@event, topic);
        var eventId = EventFields.EventId(@event);

        using var activity = MessagingTelemetry.ActivitySource.StartActivity($"send {topic.Name}", ActivityKind.Producer);
        activity?.SetTag("messaging.system", MessagingTelemetry.System);
        activity?.SetTag("messaging.operation.type", "send");
        activity?.SetTag("messaging.operation.name", "send");
        activity?.SetTag("messaging.destination.name", topic.Name);
        activity?.SetTag("messaging.kafka.message.key", key);
        activity?.SetTag("messaging.message.id", eventId);

        var headers = new Headers();
        if (eventId is not null)
        {
            var type = @event.Schema.Fullname;
            var occurredAt = EventFields.OccurredAt(@event);
            var metadata = causedBy is null
                ? Events.EventMetadata.Original(eventId, type, _source, occurredAt)
                : Events.EventMetadata.DerivedFrom(causedBy, eventId, type, _source, occurredAt);
            metadata.WriteTo(headers);
        }

        TraceHeaders.Inject(activity ?? Activity.Current, headers);

        var context = new SerializationContext(MessageComponentType.Value, topic.Name, headers);
        var value = await _serializers[topic.SubjectNaming].SerializeAsync(@event, context).ConfigureAwait(false);
        var message = new Message<string, byte[]> { Key = key, Value = value, Headers = headers, Timestamp = EventFields.OccurredAt(@event) is { } at ? new Timestamp(at) : Timestamp.Default };

        var started = Stopwatch.GetTimestamp();
        var tags = new TagList { { "messaging.system", MessagingTelemetry.System }, { "messaging.destination.name", topic.Name }, { "messaging.operation.name", "send" } };
        try
        {
            var result = await _producer.ProduceAsync(topic.Name, message, cancellationToken).ConfigureAwait(false);
            activity?.SetTag("messaging.destination.partition.id", result.Partition.Value.ToString(System.Globalization.CultureInfo.InvariantCulture));
            activity?.SetTag("messaging.kafka.offset", result.Offset.Value);
            return new EventDelivery(topic.Name, result.Partition.Value, result.Offset.Value, key, eventId);
        }
        catch (ProduceException<string, byte[]> ex)
        {
            tags.Add("error.type", ex.Error.Code.ToString());
            activity?.SetStatus(ActivityStatusCode.Error, ex.Error.Reason);
            activity?.SetTag("error.type", ex.Error.Code.ToString());
            throw;
        }
        finally
        {
            MessagingTelemetry.SentMessages.Add(1, tags);
            MessagingTelemetry.OperationDuration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds, tags);
        }
    }

    /// <summary>Waits until everything published so far is acknowledged.</summary>
    public void Flush(TimeSpan timeout) => _producer.Flush(timeout);

    /// <summary>Waits up to 10 s for events still in flight, then closes the producer.</summary>
    public void Dispose()
    {
        // Idempotent: a host may close the publisher before the broker stops, and its container disposes it again.
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        _producer.Flush(TimeSpan.FromSeconds(10));
        _producer.Dispose();
    }
}

/// <summary>Where an event landed.</summary>
public sealed record EventDelivery(string Topic, int Partition, long Offset, string Key, string? EventId);
