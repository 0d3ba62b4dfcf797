using Microsoft.Extensions.Logging;
using Streams.Broker.Protocol;
using Streams.Broker.Protocol.Messages;
using Streams.Broker.Security.Authorization;

namespace Streams.Broker.Apis;

/// <summary>
/// InitProducerId (22), v0-4: v2 flexible, v3 ProducerId/ProducerEpoch for KIP-360 epoch bumps.
/// Idempotent producers (no transactional id) get a fresh, never-reused producer id at epoch 0.
/// A transactional id goes to the transaction coordinator: its producer id is kept, the epoch bumped (fencing the
/// previous producer), an open transaction aborted; <c>transaction.timeout.ms</c> above <c>transaction.max.timeout.ms</c>
/// is INVALID_TRANSACTION_TIMEOUT; a stale id/epoch (v3+) is PRODUCER_FENCED (v4+) or INVALID_PRODUCER_EPOCH. Authorization: a transactional id needs
/// Write on it (TRANSACTIONAL_ID_AUTHORIZATION_FAILED); an idempotent producer needs IdempotentWrite on the cluster
/// or, as KIP-679 allows, Write on some topic (CLUSTER_AUTHORIZATION_FAILED).
/// </summary>
internal sealed partial class InitProducerIdApi : ApiHandler<InitProducerIdRequest, InitProducerIdResponse>
{
    public override ValueTask<InitProducerIdResponse> HandleAsync(RequestContext context, InitProducerIdRequest request)
    {
        if (request.TransactionalId is { } transactionalId)
        {
            if (!context.Authorize(AclOperation.Write, AclResourceType.TransactionalId, transactionalId))
            {
                return ValueTask.FromResult(new InitProducerIdResponse { ErrorCode = ErrorCode.TransactionalIdAuthorizationFailed, ProducerId = -1, ProducerEpoch = -1 });
            }

            var result = context.Broker.Transactions.InitProducerId(transactionalId, request.TransactionTimeoutMs, request.ProducerId, request.ProducerEpoch, fencedSupported: context.ApiVersion >= 4);
            if (result.Error != ErrorCode.None)
            {
                LogRefused(context.Broker.LoggerFactory.CreateLogger<InitProducerIdApi>(), transactionalId, context.ClientId, result.Error);
            }

            return ValueTask.FromResult(new InitProducerIdResponse { ErrorCode = result.Error, ProducerId = result.ProducerId, ProducerEpoch = result.ProducerEpoch });
        }

        if (context.Broker.Authorizer is { } authorizer
            && !context.AuthorizeCluster(AclOperation.IdempotentWrite, logIfDenied: false)
            && !authorizer.AuthorizeByResourceType(context.Principal, context.ClientAddress, AclOperation.Write, AclResourceType.Topic))
        {
            // Logged once here: the cluster check above stays quiet because Write on a topic may still grant it.
            context.AuthorizeCluster(AclOperation.IdempotentWrite);
            return ValueTask.FromResult(new InitProducerIdResponse { ErrorCode = ErrorCode.ClusterAuthorizationFailed, ProducerId = -1, ProducerEpoch = -1 });
        }

        return ValueTask.FromResult(new InitProducerIdResponse { ProducerId = context.Broker.ProducerIds.NextId(), ProducerEpoch = 0 });
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "InitProducerId for transactional.id {TransactionalId} from {ClientId}: {Error}")]
    private static partial void LogRefused(ILogger logger, string transactionalId, string? clientId, ErrorCode error);
}
