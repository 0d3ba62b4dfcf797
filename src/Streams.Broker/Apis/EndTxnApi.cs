using Streams.Broker.Protocol;
using Streams.Broker.Protocol.Messages;
using Streams.Broker.Security.Authorization;

namespace Streams.Broker.Apis;

/// <summary>
/// EndTxn (26), v0-3 (v3 flexible): commits or aborts the open transaction; the COMMIT/ABORT markers are in every
/// partition of it when this answers. PRODUCER_FENCED only from v2 (INVALID_PRODUCER_EPOCH before, as Kafka).
/// Authorization: Write on the transactional id.
/// </summary>
internal sealed class EndTxnApi : ApiHandler<EndTxnRequest, EndTxnResponse>
{
    public override ValueTask<EndTxnResponse> HandleAsync(RequestContext context, EndTxnRequest request)
    {
        var error = !context.Authorize(AclOperation.Write, AclResourceType.TransactionalId, request.TransactionalId) ? ErrorCode.TransactionalIdAuthorizationFailed
            : context.Broker.Transactions.EndTransaction(request.TransactionalId, request.ProducerId, request.ProducerEpoch, request.Committed);
        return ValueTask.FromResult(new EndTxnResponse { ErrorCode = TransactionErrors.ForVersion(error, context.ApiVersion, fencedFrom: 2) });
    }
}
