using Streams.Broker.Groups;
using Streams.Broker.Protocol;
using Streams.Broker.Protocol.Messages;
using Streams.Broker.Security.Authorization;

namespace Streams.Broker.Apis;

/// <summary>
/// AddPartitionsToTxn (24), v0-3 (v3 flexible; v4+ is KIP-890's broker-to-broker form, not served): the partitions a
/// transactional producer is about to write. Authorization: Write on the transactional id (else every partition
/// TRANSACTIONAL_ID_AUTHORIZATION_FAILED) and Write on each topic (else TOPIC_AUTHORIZATION_FAILED for its partitions
/// and OPERATION_NOT_ATTEMPTED for the others, nothing added).
/// </summary>
internal sealed class AddPartitionsToTxnApi : ApiHandler<AddPartitionsToTxnRequest, AddPartitionsToTxnResponse>
{
    public override ValueTask<AddPartitionsToTxnResponse> HandleAsync(RequestContext context, AddPartitionsToTxnRequest request)
    {
        var partitions = request.Topics.SelectMany(t => t.Partitions.Select(p => new TopicPartition(t.Name, p))).ToList();
        Dictionary<TopicPartition, ErrorCode> results;
        if (!context.Authorize(AclOperation.Write, AclResourceType.TransactionalId, request.TransactionalId))
        {
            results = partitions.Distinct().ToDictionary(p => p, _ => ErrorCode.TransactionalIdAuthorizationFailed);
        }
        else
        {
            var denied = request.Topics.Select(t => t.Name).Distinct(StringComparer.Ordinal)
                .Where(t => !context.Authorize(AclOperation.Write, AclResourceType.Topic, t)).ToHashSet(StringComparer.Ordinal);
            results = denied.Count > 0
                ? partitions.Distinct().ToDictionary(p => p, p => denied.Contains(p.Topic) ? ErrorCode.TopicAuthorizationFailed : ErrorCode.OperationNotAttempted)
                : context.Broker.Transactions.AddPartitions(request.TransactionalId, request.ProducerId, request.ProducerEpoch, partitions);
        }

        var response = new AddPartitionsToTxnResponse();
        foreach (var topic in results.GroupBy(r => r.Key.Topic, StringComparer.Ordinal))
        {
            var topicResult = new AddPartitionsToTxnResponse.TopicResult { Name = topic.Key };
            foreach (var (partition, error) in topic)
            {
                topicResult.Results.Add(new AddPartitionsToTxnResponse.PartitionResult
                {
                    PartitionIndex = partition.Partition,
                    ErrorCode = TransactionErrors.ForVersion(error, context.ApiVersion, fencedFrom: 2),
                });
            }

            response.Results.Add(topicResult);
        }

        return ValueTask.FromResult(response);
    }
}
