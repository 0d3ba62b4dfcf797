using Streams.Broker.Protocol;
using Streams.Broker.Protocol.Messages;
using Streams.Broker.Security.Authorization;

namespace Streams.Broker.Apis;

/// <summary>
/// AddOffsetsToTxn (25), v0-3 (v3 flexible): a consumer group's offsets join the open transaction (TxnOffsetCommit
/// follows). Authorization: Write on the transactional id, Read on the group (GROUP_AUTHORIZATION_FAILED).
/// </summary>
internal sealed class AddOffsetsToTxnApi : ApiHandler<AddOffsetsToTxnRequest, AddOffsetsToTxnResponse>
{
    public override ValueTask<AddOffsetsToTxnResponse> HandleAsync(RequestContext context, AddOffsetsToTxnRequest request)
    {
        var error = !context.Authorize(AclOperation.Write, AclResourceType.TransactionalId, request.TransactionalId) ? ErrorCode.TransactionalIdAuthorizationFailed
            : !context.Authorize(AclOperation.Read, AclResourceType.Group, request.GroupId) ? ErrorCode.GroupAuthorizationFailed
            : context.Broker.Transactions.AddOffsets(request.TransactionalId, request.ProducerId, request.ProducerEpoch, request.GroupId);
        return ValueTask.FromResult(new AddOffsetsToTxnResponse { ErrorCode = TransactionErrors.ForVersion(error, context.ApiVersion, fencedFrom: 2) });
    }
}
