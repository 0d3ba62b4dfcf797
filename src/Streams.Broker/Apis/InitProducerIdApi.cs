using Microsoft.Extensions.Logging;
using Streams.Broker.Protocol;

namespace Streams.Broker.Apis;

/// <summary>
/// InitProducerId (22), v0-4: v2 flexible, v3 ProducerId/ProducerEpoch for KIP-360 epoch bumps.
/// Idempotent producers (no transactional id) get a fresh, never-reused producer id at epoch 0.
/// Transactional ids are refused until the transaction coordinator exists.
/// </summary>
internal sealed partial class InitProducerIdApi : ApiHandler
{
    public override ApiKey Key => ApiKey.InitProducerId;

    public override short MinVersion => 0;

    public override short MaxVersion => 4;

    public override short FirstFlexibleVersion => 2;

    public override ValueTask HandleAsync(RequestContext context, KafkaReader request, KafkaWriter response)
    {
        var transactionalId = request.ReadNullableString();
        request.ReadInt32();
        if (context.ApiVersion >= 3)
        {
            request.ReadInt64();
            request.ReadInt16();
        }

        request.SkipTaggedFields();

        var (error, producerId) = transactionalId is null
            ? (ErrorCode.None, context.Broker.ProducerIds.NextId())
            : (ErrorCode.InvalidRequest, -1L);
        if (error != ErrorCode.None)
        {
            LogTransactionsUnsupported(context.Broker.LoggerFactory.CreateLogger<InitProducerIdApi>(), transactionalId!, context.ClientId);
        }

        response.WriteInt32(0);
        response.WriteErrorCode(error);
        response.WriteInt64(producerId);
        response.WriteInt16(error == ErrorCode.None ? (short)0 : (short)-1);
        response.WriteTaggedFields();
        return ValueTask.CompletedTask;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refused transactional.id {TransactionalId} from {ClientId}: transactions are not supported by this broker yet")]
    private static partial void LogTransactionsUnsupported(ILogger logger, string transactionalId, string? clientId);
}
