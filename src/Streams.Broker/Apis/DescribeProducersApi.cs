using Streams.Broker.Protocol;
using Streams.Broker.Protocol.Messages;
using Streams.Broker.Security.Authorization;

namespace Streams.Broker.Apis;

/// <summary>
/// DescribeProducers (61), v0 (flexible): per requested partition, the producers with idempotence state there, their
/// epoch, last sequence and last write, and the first offset of their open transaction (-1 when none): how operators
/// find a hanging transaction. Needs Read on the topic (else TOPIC_AUTHORIZATION_FAILED); unknown partitions answer
/// UNKNOWN_TOPIC_OR_PARTITION. The coordinator epoch is that of the producer's last marker at the partition (-1 before
/// its first), as Kafka reports it; this broker's coordinator takes a new one at each start.
/// </summary>
internal sealed class DescribeProducersApi : ApiHandler<DescribeProducersRequest, DescribeProducersResponse>
{
    public override ValueTask<DescribeProducersResponse> HandleAsync(RequestContext context, DescribeProducersRequest request) =>
        ValueTask.FromResult(new DescribeProducersResponse
        {
            Topics = [.. request.Topics.Select(topic =>
            {
                var allowed = context.Authorize(AclOperation.Read, AclResourceType.Topic, topic.Name);
                return new DescribeProducersResponse.TopicResponse
                {
                    Name = topic.Name,
                    Partitions = [.. topic.PartitionIndexes.Select(index => Describe(context, allowed, topic.Name, index))],
                };
            })],
        });

    private static DescribeProducersResponse.PartitionResponse Describe(RequestContext context, bool allowed, string topic, int index)
    {
        if (!allowed)
        {
            return new DescribeProducersResponse.PartitionResponse { PartitionIndex = index, ErrorCode = ErrorCode.TopicAuthorizationFailed };
        }

        if (context.Broker.Logs.GetPartition(topic, index) is not { } partition)
        {
            return new DescribeProducersResponse.PartitionResponse { PartitionIndex = index, ErrorCode = ErrorCode.UnknownTopicOrPartition };
        }

        return new DescribeProducersResponse.PartitionResponse
        {
            PartitionIndex = index,
            ActiveProducers = [.. partition.DescribeProducers().Select(p => new DescribeProducersResponse.ProducerState
            {
                ProducerId = p.ProducerId,
                ProducerEpoch = p.Epoch,
                LastSequence = p.LastSequence,
                LastTimestamp = p.LastTimestamp,
                CoordinatorEpoch = p.CoordinatorEpoch,
                CurrentTxnStartOffset = p.CurrentTransactionStartOffset,
            })],
        };
    }
}
