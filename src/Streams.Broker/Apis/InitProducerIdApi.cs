using Microsoft.Extensions.Logging;
using Streams.Broker.Protocol;
using Streams.Broker.Protocol.Messages;

namespace Streams.Broker.Apis;

/// <summary>
/// InitProducerId (22), v0-4: v2 flexible, v3 ProducerId/ProducerEpoch for KIP-360 epoch bumps.
/// Idempotent producers (no transactional id) get a fresh, never-reused producer id at epoch 0.
/// Transactional ids are refused until the transaction coordinator exists.
/// </summary>
internal sealed partial class InitProducerIdApi : ApiHandler<InitProducerIdRequest, InitProducerIdResponse>
{
    public override ValueTask<InitProducerIdResponse> HandleAsync(RequestContext context, InitProducerIdRequest request)
    {
        if (request.TransactionalId is { } transactionalId)
        {
            LogTransactionsUnsupported(context.Broker.LoggerFactory.CreateLogger<InitProducerIdApi>(), transactionalId, context.ClientId);
            return ValueTask.FromResult(new InitProducerIdResponse { ErrorCode = ErrorCode.InvalidRequest, ProducerId = -1, ProducerEpoch = -1 });
        }

        return ValueTask.FromResult(new InitProducerIdResponse { ProducerId = context.Broker.ProducerIds.NextId(), ProducerEpoch = 0 });
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refused transactional.id {TransactionalId} from {ClientId}: transactions are not supported by this broker yet")]
    private static partial void LogTransactionsUnsupported(ILogger logger, string transactionalId, string? clientId);
}
