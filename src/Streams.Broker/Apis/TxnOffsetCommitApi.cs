using Streams.Broker.Groups;
using Streams.Broker.Protocol;
using Streams.Broker.Protocol.Messages;
using Streams.Broker.Security.Authorization;

namespace Streams.Broker.Apis;

/// <summary>
/// TxnOffsetCommit (28), v0-3 (v2 committed leader epoch; v3 flexible with GenerationId/MemberId/GroupInstanceId, so
/// a zombie member is refused as KIP-447 requires): the offsets wait in the transaction and are stored in the group
/// when it commits. Authorization: Write on the transactional id, Read on the group, Read on each topic.
/// </summary>
internal sealed class TxnOffsetCommitApi : ApiHandler<TxnOffsetCommitRequest, TxnOffsetCommitResponse>
{
    public override ValueTask<TxnOffsetCommitResponse> HandleAsync(RequestContext context, TxnOffsetCommitRequest request)
    {
        var version = context.ApiVersion;
        var topLevel = !context.Authorize(AclOperation.Write, AclResourceType.TransactionalId, request.TransactionalId) ? ErrorCode.TransactionalIdAuthorizationFailed
            : !context.Authorize(AclOperation.Read, AclResourceType.Group, request.GroupId) ? ErrorCode.GroupAuthorizationFailed
            : ErrorCode.None;
        var denied = request.Topics.Select(t => t.Name).Distinct(StringComparer.Ordinal)
            .Where(t => topLevel == ErrorCode.None && !context.Authorize(AclOperation.Read, AclResourceType.Topic, t)).ToHashSet(StringComparer.Ordinal);
        Dictionary<TopicPartition, ErrorCode> results = [];
        if (topLevel == ErrorCode.None)
        {
            var entries = request.Topics.Where(t => !denied.Contains(t.Name))
                .SelectMany(t => t.Partitions.Select(p => new OffsetCommitEntry(t.Name, p.PartitionIndex, p.CommittedOffset, p.CommittedLeaderEpoch, p.CommittedMetadata)))
                .ToList();
            (topLevel, results) = context.Broker.Transactions.CommitOffsets(
                request.TransactionalId, request.ProducerId, request.ProducerEpoch, request.GroupId, request.GenerationId, request.MemberId, request.GroupInstanceId, entries);
        }

        return ValueTask.FromResult(new TxnOffsetCommitResponse
        {
            Topics = [.. request.Topics.Select(t => new TxnOffsetCommitResponse.Topic
            {
                Name = t.Name,
                Partitions = [.. t.Partitions.Select(p => new TxnOffsetCommitResponse.Partition
                {
                    PartitionIndex = p.PartitionIndex,
                    ErrorCode = TransactionErrors.ForVersion(
                        topLevel != ErrorCode.None ? topLevel
                            : denied.Contains(t.Name) ? ErrorCode.TopicAuthorizationFailed
                            : results.GetValueOrDefault(new TopicPartition(t.Name, p.PartitionIndex), ErrorCode.None),
                        version,
                        fencedFrom: 3),
                })],
            })],
        });
    }
}
