using Microsoft.Extensions.Logging;
using Streams.Broker.Protocol;
using Streams.Broker.Storage;

namespace Streams.Broker.Apis;

/// <summary>
/// Produce (0), v3-8: v3 record batches (magic 2), v5 LogStartOffset, v7 zstd, v8 RecordErrors/ErrorMessage.
/// acks=0 gets no response. Internal topics are written by the broker only (INVALID_TOPIC_EXCEPTION, as Kafka). With one replica, acks=1 and acks=all both mean "appended to this node's log"; the
/// write reaches the OS before the answer, so it survives a process crash (fsync follows <c>flush.messages</c>/<c>flush.ms</c>).
/// </summary>
internal sealed partial class ProduceApi : ApiHandler
{
    public override ApiKey Key => ApiKey.Produce;

    public override short MinVersion => 3;

    public override short MaxVersion => 8;

    public override ValueTask HandleAsync(RequestContext context, KafkaReader request, KafkaWriter response)
    {
        var version = context.ApiVersion;
        request.ReadNullableString(); // transactional id: no transactions yet, batches marked transactional are refused
        var acks = request.ReadInt16();
        request.ReadInt32(); // timeout: replication wait, meaningless on one node
        var topics = request.ReadArray((ref KafkaReader r) => new ProduceTopic(
            r.ReadString(),
            r.ReadArray((ref KafkaReader p) => new ProducePartition(p.ReadInt32(), p.ReadNullableBytes()))));

        var logger = context.Broker.LoggerFactory.CreateLogger<ProduceApi>();
        var validAcks = acks is -1 or 0 or 1;
        response.WriteArrayLength(topics.Count);
        foreach (var topic in topics)
        {
            response.WriteString(topic.Name);
            response.WriteArrayLength(topic.Partitions.Count);
            foreach (var partitionData in topic.Partitions)
            {
                var result = validAcks
                    ? Append(context, topic.Name, partitionData, version)
                    : AppendResult.Failed(ErrorCode.InvalidRequiredAcks, $"acks must be -1, 0 or 1, got {acks}");
                if (result.Error != ErrorCode.None)
                {
                    LogRejected(logger, topic.Name, partitionData.Index, context.ClientId, result.Error, result.Message);
                }

                response.WriteInt32(partitionData.Index);
                response.WriteErrorCode(result.Error);
                response.WriteInt64(result.BaseOffset);
                response.WriteInt64(result.LogAppendTime);
                if (version >= 5)
                {
                    response.WriteInt64(result.LogStartOffset);
                }

                if (version >= 8)
                {
                    response.WriteArrayLength(0);
                    response.WriteNullableString(result.Error == ErrorCode.None ? null : result.Message);
                }
            }
        }

        response.WriteInt32(0);
        context.SuppressResponse = acks == 0;
        return ValueTask.CompletedTask;
    }

    private static AppendResult Append(RequestContext context, string topic, ProducePartition data, short version)
    {
        if (TopicNames.IsInternal(topic))
        {
            // The coordinator owns these records; one written by a client could corrupt every group on restart.
            return AppendResult.Failed(ErrorCode.InvalidTopicException, $"Cannot append to internal topic {topic}");
        }

        var partition = context.Broker.Logs.GetPartition(topic, data.Index);
        if (partition is null)
        {
            return AppendResult.Failed(ErrorCode.UnknownTopicOrPartition, $"This server does not host this topic-partition: {topic}-{data.Index}");
        }

        try
        {
            return partition.Append(data.Records ?? ReadOnlyMemory<byte>.Empty, allowZstd: version >= 7);
        }
        catch (ObjectDisposedException)
        {
            return AppendResult.Failed(ErrorCode.UnknownTopicOrPartition, $"Topic {topic} was deleted during the write");
        }
        catch (IOException ex)
        {
            return AppendResult.Failed(ErrorCode.KafkaStorageError, ex.Message);
        }
    }

    private readonly record struct ProduceTopic(string Name, List<ProducePartition> Partitions);

    private readonly record struct ProducePartition(int Index, ReadOnlyMemory<byte>? Records);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Rejected produce to {Topic}-{Partition} from {ClientId}: {Error} {Reason}")]
    private static partial void LogRejected(ILogger logger, string topic, int partition, string? clientId, ErrorCode error, string? reason);
}
