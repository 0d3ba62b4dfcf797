using Streams.Broker.Protocol;
using Streams.Broker.Protocol.Messages;
using Streams.Broker.Security.Authorization;

namespace Streams.Broker.Apis;

/// <summary>
/// WriteTxnMarkers (27), v0-1 (v1 flexible): writes the requested COMMIT/ABORT marker to each named partition. Kafka's
/// coordinators send it to partition leaders; here the coordinator writes its markers directly, so the request comes
/// only from operators (Admin abortTransaction, <c>streams transactions abort</c>) ending a hanging transaction that no
/// coordinator will end. Needs ClusterAction on the cluster (else CLUSTER_AUTHORIZATION_FAILED on every partition);
/// unknown partitions answer UNKNOWN_TOPIC_OR_PARTITION, a stale producer epoch INVALID_PRODUCER_EPOCH.
/// </summary>
internal sealed class WriteTxnMarkersApi : ApiHandler<WriteTxnMarkersRequest, WriteTxnMarkersResponse>
{
    public override ValueTask<WriteTxnMarkersResponse> HandleAsync(RequestContext context, WriteTxnMarkersRequest request)
    {
        var allowed = context.AuthorizeCluster(AclOperation.ClusterAction);
        return ValueTask.FromResult(new WriteTxnMarkersResponse
        {
            Markers = [.. request.Markers.Select(marker => new WriteTxnMarkersResponse.WritableTxnMarkerResult
            {
                ProducerId = marker.ProducerId,
                Topics = [.. marker.Topics.Select(topic => new WriteTxnMarkersResponse.WritableTxnMarkerTopicResult
                {
                    Name = topic.Name,
                    Partitions = [.. topic.PartitionIndexes.Select(index => new WriteTxnMarkersResponse.WritableTxnMarkerPartitionResult
                    {
                        PartitionIndex = index,
                        ErrorCode = allowed ? Write(context, marker, topic.Name, index) : ErrorCode.ClusterAuthorizationFailed,
                    })],
                })],
            })],
        });
    }

    private static ErrorCode Write(RequestContext context, WriteTxnMarkersRequest.WritableTxnMarker marker, string topic, int index)
    {
        if (context.Broker.Logs.GetPartition(topic, index) is not { } partition)
        {
            return ErrorCode.UnknownTopicOrPartition;
        }

        try
        {
            return partition.WriteRequestedMarker(marker.ProducerId, marker.ProducerEpoch, marker.TransactionResult, marker.CoordinatorEpoch).Error;
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException)
        {
            return ErrorCode.KafkaStorageError;
        }
    }
}
