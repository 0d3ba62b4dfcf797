using Microsoft.Extensions.Logging;
using Streams.Broker.Protocol;
using Streams.Broker.Protocol.Messages;
using Streams.Broker.Security.Authorization;

namespace Streams.Broker.Apis;

/// <summary>
/// InitProducerId (22), v0-4: v2 flexible, v3 ProducerId/ProducerEpoch for KIP-360 epoch bumps.
/// Idempotent producers (no transactional id) get a fresh, never-reused producer id at epoch 0.
/// Transactional ids are refused until the transaction coordinator exists. Authorization: a transactional id needs
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

            LogTransactionsUnsupported(context.Broker.LoggerFactory.CreateLogger<InitProducerIdApi>(), transactionalId, context.ClientId);
            return ValueTask.FromResult(new InitProducerIdResponse { ErrorCode = ErrorCode.InvalidRequest, ProducerId = -1, ProducerEpoch = -1 });
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

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refused transactional.id {TransactionalId} from {ClientId}: transactions are not supported by this broker yet")]
    private static partial void LogTransactionsUnsupported(ILogger logger, string transactionalId, string? clientId);
}
