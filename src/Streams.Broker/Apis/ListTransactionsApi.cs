using Streams.Broker.Protocol.Messages;
using Streams.Broker.Security.Authorization;
using Streams.Broker.Transactions;

namespace Streams.Broker.Apis;

/// <summary>
/// ListTransactions (66), v0 (flexible): the transactional ids the principal may Describe, filtered by state names
/// (unknown names are echoed in UnknownStateFilters) and producer ids; empty filters match all.
/// </summary>
internal sealed class ListTransactionsApi : ApiHandler<ListTransactionsRequest, ListTransactionsResponse>
{
    public override ValueTask<ListTransactionsResponse> HandleAsync(RequestContext context, ListTransactionsRequest request)
    {
        var states = request.StateFilters.Where(s => Enum.TryParse<TransactionState>(s, ignoreCase: false, out _)).ToHashSet(StringComparer.Ordinal);
        var producers = request.ProducerIdFilters.ToHashSet();
        return ValueTask.FromResult(new ListTransactionsResponse
        {
            UnknownStateFilters = [.. request.StateFilters.Where(s => !states.Contains(s))],
            TransactionStates = [.. context.Broker.Transactions.List()
                .Where(d => (request.StateFilters.Count == 0 || states.Contains(d.State.ToString()))
                    && (producers.Count == 0 || producers.Contains(d.ProducerId))
                    && context.Authorize(AclOperation.Describe, AclResourceType.TransactionalId, d.TransactionalId, logIfDenied: false))
                .Select(d => new ListTransactionsResponse.TransactionStateData
                {
                    TransactionalId = d.TransactionalId,
                    ProducerId = d.ProducerId,
                    TransactionState = d.State.ToString(),
                })],
        });
    }
}
