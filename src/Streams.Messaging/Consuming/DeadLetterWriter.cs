using System.Globalization;
using System.Text;
using Confluent.Kafka;

namespace Streams.Messaging.Consuming;

/// <summary>
/// A record that could not be processed, where it came from (for a result that could not be produced: where it was
/// going, with partition and offset -1), why, and which consumer group or Streamiz application id gave up on it.
/// </summary>
public sealed record DeadLetter(
    string Topic,
    int Partition,
    long Offset,
    byte[]? Key,
    byte[]? Value,
    Headers? Headers,
    string Reason,
    Exception Exception,
    string GroupId);

/// <summary>
/// Writes records that cannot be processed to the dead-letter topic: the original key, value and headers, plus
/// <see cref="DeadLetterHeaders"/> naming the source and the reason. Idempotent with acks=all, because a dead letter
/// is the only copy a consumer keeps of a record it skips.
/// </summary>
public sealed class DeadLetterWriter : IDisposable
{
    // Built at the first dead letter: most processes never write one, and an idle librdkafka producer still keeps a
    // broker connection, three native threads and a polling thread awake (a worker has three of these writers).
    private readonly Lazy<IProducer<byte[]?, byte[]?>> _producer;

    /// <summary>A producer for <paramref name="topic"/> from <paramref name="kafka"/>: librdkafka settings, including <c>bootstrap.servers</c> and any security settings.</summary>
    public DeadLetterWriter(IEnumerable<KeyValuePair<string, string>> kafka, string topic = "dead-letters")
    {
        Topic = topic;
        var config = new ProducerConfig(kafka.ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal))
        {
            EnableIdempotence = true,
            Acks = Acks.All,
        };
        _producer = new(() => new ProducerBuilder<byte[]?, byte[]?>(config).Build(), LazyThreadSafetyMode.ExecutionAndPublication);
    }

    /// <summary>The dead-letter topic written to.</summary>
    public string Topic { get; }

    /// <summary>Writes <paramref name="letter"/> and waits until the broker has acknowledged it.</summary>
    /// <exception cref="ProduceException{TKey,TValue}">The dead letter could not be written.</exception>
    public async Task WriteAsync(DeadLetter letter, CancellationToken cancellationToken = default) =>
        await _producer.Value.ProduceAsync(Topic, ToMessage(letter), cancellationToken).ConfigureAwait(false);

    /// <summary>
    /// Writes <paramref name="letter"/> and blocks until it is acknowledged, for synchronous callbacks that must not
    /// let the source offset be committed before the dead letter is safe (Streamiz's exception handlers).
    /// </summary>
    /// <returns>The delivery error, or null once the dead letter is acknowledged.</returns>
    public Error? Write(DeadLetter letter, TimeSpan timeout)
    {
        // Not disposed: after a timeout the acknowledgement may still arrive and set it. A synchronous wait, because
        // the callers are synchronous callbacks.
        var delivered = new ManualResetEventSlim();
        Error? error = null;
        _producer.Value.Produce(Topic, ToMessage(letter), report =>
        {
            error = report.Error.IsError ? report.Error : null;
            delivered.Set();
        });
        return delivered.Wait(timeout) ? error : new Error(ErrorCode.Local_TimedOut, $"The dead letter was not acknowledged within {timeout.TotalSeconds:0.#} s");
    }

    private static Message<byte[]?, byte[]?> ToMessage(DeadLetter letter)
    {
        var headers = new Headers();
        foreach (var header in letter.Headers ?? [])
        {
            headers.Add(header.Key, header.GetValueBytes());
        }

        void Add(string name, string value) => headers.Add(name, Encoding.UTF8.GetBytes(value));
        Add(DeadLetterHeaders.Reason, letter.Reason);
        Add(DeadLetterHeaders.Exception, $"{letter.Exception.GetType().FullName}: {letter.Exception.Message}");
        Add(DeadLetterHeaders.Topic, letter.Topic);
        Add(DeadLetterHeaders.Partition, letter.Partition.ToString(CultureInfo.InvariantCulture));
        Add(DeadLetterHeaders.Offset, letter.Offset.ToString(CultureInfo.InvariantCulture));
        Add(DeadLetterHeaders.GroupId, letter.GroupId);
        return new Message<byte[]?, byte[]?> { Key = letter.Key, Value = letter.Value, Headers = headers };
    }

    /// <summary>Waits briefly for letters still in flight, then closes the producer.</summary>
    public void Dispose()
    {
        if (_producer.IsValueCreated)
        {
            _producer.Value.Flush(TimeSpan.FromSeconds(5));
            _producer.Value.Dispose();
        }
    }
}
