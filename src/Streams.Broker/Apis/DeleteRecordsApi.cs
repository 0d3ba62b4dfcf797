using Streams.Broker.Protocol;
using Streams.Broker.Protocol.Messages;
using Streams.Broker.Security.Authorization;
using Streams.Broker.Storage;

namespace Streams.Broker.Apis;

/// <summary>
/// DeleteRecords (21), v0-1: moves each partition's log start offset (offset -1 = the high watermark).
/// Whole segments below it are removed by the next retention pass; fetches below it get OFFSET_OUT_OF_RANGE at once.
/// Records of internal topics cannot be deleted (INVALID_TOPIC_EXCEPTION, as Kafka). Needs Delete on each topic
/// (else TOPIC_AUTHORIZATION_FAILED for its partitions).
/// </summary>
internal sealed class DeleteRecordsApi : ApiHandler<DeleteRecordsRequest, DeleteRecordsResponse>
{
    public override ValueTask<DeleteRecordsResponse> HandleAsync(RequestContext context, DeleteRecordsRequest request) =>
        ValueTask.FromResult(new DeleteRecordsResponse
        {
            Topics = [.. request.Topics.Select(topic => new DeleteRecordsResponse.Topic
            {
                Name = topic.Name,
                Partitions = context.Authorize(AclOperation.Delete, AclResourceType.Topic, topic.Name, topic.Partitions.Count)
                    ? [.. topic.Partitions.Select(p => Delete(context.Broker, topic.Name, p))]
                    : [.. topic.Partitions.Select(p => new DeleteRecordsResponse.Partition
                    {
                        PartitionIndex = p.PartitionIndex, LowWatermark = -1, ErrorCode = ErrorCode.TopicAuthorizationFailed,
                    })],
            })],
        });

    private static DeleteRecordsResponse.Partition Delete(BrokerContext broker, string topic, DeleteRecordsRequest.Partition request)
    {
        var (error, lowWatermark) = TopicNames.IsInternal(topic) ? (ErrorCode.InvalidTopicException, -1)
            : broker.Logs.GetPartition(topic, request.PartitionIndex)?.DeleteRecordsBefore(request.Offset) ?? (ErrorCode.UnknownTopicOrPartition, -1);
        return new DeleteRecordsResponse.Partition { PartitionIndex = request.PartitionIndex, LowWatermark = lowWatermark, ErrorCode = error };
    }
}
