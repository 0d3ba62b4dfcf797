using Confluent.Kafka;
using Microsoft.Extensions.Logging;
using Streamiz.Kafka.Net;
using Streams.Messaging.Consuming;

namespace Streams.Worker.Processing;

/// <summary>
/// Streamiz's exception handlers for the topology: a record it cannot deserialize, or a result it cannot produce,
/// goes to the dead-letter topic with the reason in headers and processing continues. The handler answers only once
/// the dead letter is acknowledged, so the offset Streamiz then commits never skips a record that exists nowhere else;
/// if the dead-letter topic cannot be written either, the application fails rather than drop the record.
/// </summary>
public sealed partial class TopologyDeadLetters(DeadLetterWriter writer, string applicationId, ILogger logger)
{
    private static readonly TimeSpan AckTimeout = TimeSpan.FromSeconds(30);

    // Streamiz deserializes a record once to extract its timestamp and again in the source node, so the handler sees
    // each poison record twice; remembering the last few keeps it to one dead letter.
    private readonly Queue<(string, int, long)> _recent = new();
    private readonly HashSet<(string, int, long)> _recentSet = [];
    private readonly Lock _gate = new();

    public ExceptionHandlerResponse OnDeserializationError(ProcessorContext context, ConsumeResult<byte[], byte[]> record, Exception exception)
    {
        var position = (record.Topic, record.Partition.Value, record.Offset.Value);
        lock (_gate)
        {
            if (_recentSet.Contains(position))
            {
                return ExceptionHandlerResponse.CONTINUE;
            }
        }

        var letter = new DeadLetter(record.Topic, record.Partition.Value, record.Offset.Value, record.Message.Key, record.Message.Value, record.Message.Headers, "deserialization-failed", exception, applicationId);
        if (!TryWrite(letter))
        {
            return ExceptionHandlerResponse.FAIL;
        }

        lock (_gate)
        {
            _recent.Enqueue(position);
            _recentSet.Add(position);
            if (_recent.Count > 1024)
            {
                _recentSet.Remove(_recent.Dequeue());
            }
        }

        return ExceptionHandlerResponse.CONTINUE;
    }

    /// <summary>A result the producer gave up on (too large, not authorized, ...): the dead letter names its destination.</summary>
    public ProductionExceptionHandlerResponse OnProductionError(DeliveryReport<byte[], byte[]> report)
    {
        var exception = new ProduceException<byte[], byte[]>(report.Error, report);
        var letter = new DeadLetter(report.Topic, report.Partition.Value, -1, report.Message.Key, report.Message.Value, report.Message.Headers, "production-failed", exception, applicationId);
        return TryWrite(letter) ? ProductionExceptionHandlerResponse.CONTINUE : ProductionExceptionHandlerResponse.FAIL;
    }

    private bool TryWrite(DeadLetter letter)
    {
        LogDeadLettering(logger, letter.Topic, letter.Partition, letter.Offset, letter.Reason, letter.Exception.Message);
        if (writer.Write(letter, AckTimeout) is { } error)
        {
            LogDeadLetterFailed(logger, letter.Topic, letter.Partition, letter.Offset, writer.Topic, error.Reason);
            return false;
        }

        return true;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Dead-lettering {Topic}-{Partition}@{Offset} from the topology: {Reason}: {Error}")]
    private static partial void LogDeadLettering(ILogger logger, string topic, int partition, long offset, string reason, string error);

    [LoggerMessage(Level = LogLevel.Critical, Message = "Could not write {Topic}-{Partition}@{Offset} to {DeadLetterTopic} ({Error}); failing the topology instead of losing it")]
    private static partial void LogDeadLetterFailed(ILogger logger, string topic, int partition, long offset, string deadLetterTopic, string error);
}
