using Streams.Broker.Protocol;
using Streams.Broker.Protocol.Messages;
using Streams.Broker.Security.Authorization;

namespace Streams.Broker.Apis;

/// <summary>
/// DescribeTransactions (65), v0 (flexible): state, producer, timeout and partitions of each named transactional id
/// (TRANSACTIONAL_ID_NOT_FOUND when unknown). Needs Describe on each id (else TRANSACTIONAL_ID_AUTHORIZATION_FAILED).
/// </summary>
internal sealed class DescribeTransactionsApi : ApiHandler<DescribeTransactionsRequest, DescribeTransactionsResponse>
{
    public override ValueTask<DescribeTransactionsResponse> HandleAsync(RequestContext context, DescribeTransactionsRequest request) =>
        ValueTask.FromResult(new DescribeTransactionsResponse
        {
            TransactionStates = [.. request.TransactionalIds.Select(id => Describe(context, id))],
        });

    private static DescribeTransactionsResponse.TransactionStateData Describe(RequestContext context, string id)
    {
        var failed = new DescribeTransactionsResponse.TransactionStateData { TransactionalId = id, TransactionState = "", ProducerId = -1, ProducerEpoch = -1, TransactionStartTimeMs = -1 };
        if (!context.Authorize(AclOperation.Describe, AclResourceType.TransactionalId, id))
        {
            failed.ErrorCode = ErrorCode.TransactionalIdAuthorizationFailed;
            return failed;
        }

        if (context.Broker.Transactions.Describe(id) is not { } d)
        {
            failed.ErrorCode = ErrorCode.TransactionalIdNotFound;
            return failed;
        }

        return new DescribeTransactionsResponse.TransactionStateData
        {
            TransactionalId = id,
            TransactionState = d.State.ToString(),
            TransactionTimeoutMs = d.TimeoutMs,
            TransactionStartTimeMs = d.StartTimeMs,
            ProducerId = d.ProducerId,
            ProducerEpoch = d.ProducerEpoch,
            Topics = [.. d.Partitions.GroupBy(p => p.Topic, StringComparer.Ordinal).Select(g => new DescribeTransactionsResponse.TopicData
            {
                Topic = g.Key,
                Partitions = [.. g.Select(p => p.Partition).Order()],
            })],
        };
    }
}
