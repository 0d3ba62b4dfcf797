using Streams.Broker.Protocol;
using Streams.Broker.Storage;

namespace Streams.Broker.Apis;

/// <summary>
/// DeleteRecords (21), v0-1: moves each partition's log start offset (offset -1 = the high watermark).
/// Whole segments below it are removed by the next retention pass; fetches below it get OFFSET_OUT_OF_RANGE at once.
/// Records of internal topics cannot be deleted (INVALID_TOPIC_EXCEPTION, as Kafka).
/// </summary>
internal sealed class DeleteRecordsApi : ApiHandler
{
    public override ApiKey Key => ApiKey.DeleteRecords;

    public override short MinVersion => 0;

    public override short MaxVersion => 1;

    public override ValueTask HandleAsync(RequestContext context, KafkaReader request, KafkaWriter response)
    {
        var topics = request.ReadArray((ref KafkaReader t) => (Name: t.ReadString(), Partitions: t.ReadArray((ref KafkaReader p) => (Index: p.ReadInt32(), Offset: p.ReadInt64()))));
        request.ReadInt32();
        response.WriteInt32(0);
        response.WriteArrayLength(topics.Count);
        foreach (var (name, partitions) in topics)
        {
            response.WriteString(name);
            response.WriteArrayLength(partitions.Count);
            foreach (var (index, offset) in partitions)
            {
                var partition = TopicNames.IsInternal(name) ? null : context.Broker.Logs.GetPartition(name, index);
                var (error, lowWatermark) = TopicNames.IsInternal(name) ? (ErrorCode.InvalidTopicException, -1)
                    : partition?.DeleteRecordsBefore(offset) ?? (ErrorCode.UnknownTopicOrPartition, -1);
                response.WriteInt32(index);
                response.WriteInt64(lowWatermark);
                response.WriteErrorCode(error);
            }
        }

        return ValueTask.CompletedTask;
    }
}
