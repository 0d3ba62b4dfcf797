using Streams.Broker.Groups;
using Streams.Broker.Protocol;
using Streams.Broker.Protocol.Messages;
using Streams.Broker.Security.Authorization;

namespace Streams.Broker.Apis;

/// <summary>
/// OffsetFetch (9), v1-7 (v6+ flexible): v2 Topics may be null (every committed partition) and a top-level
/// ErrorCode, v3 ThrottleTimeMs, v5 CommittedLeaderEpoch, v7 RequireStable (KIP-447): a partition whose offset an open
/// transaction holds (TxnOffsetCommit not yet ended by EndTxn) answers UNSTABLE_OFFSET_COMMIT and offset -1 instead of
/// the older offset, so a read_committed consumer starting meanwhile retries rather than re-processing.
/// A partition without a committed offset gets offset -1 and no error; an unknown group is not an error either.
/// Authorization as Kafka: Describe on the group (else GROUP_AUTHORIZATION_FAILED, top-level from v2 and on every
/// requested partition before), Describe on each topic: named partitions of other topics answer
/// TOPIC_AUTHORIZATION_FAILED, and a request for every partition leaves those topics out.
/// </summary>
internal sealed class OffsetFetchApi : ApiHandler<OffsetFetchRequest, OffsetFetchResponse>
{
    public override ValueTask<OffsetFetchResponse> HandleAsync(RequestContext context, OffsetFetchRequest request)
    {
        if (!context.Authorize(AclOperation.Describe, AclResourceType.Group, request.GroupId))
        {
            return ValueTask.FromResult(new OffsetFetchResponse
            {
                ErrorCode = ErrorCode.GroupAuthorizationFailed,
                Topics = context.ApiVersion >= 2 ? [] : [.. (request.Topics ?? []).Select(t => Failed(t, ErrorCode.GroupAuthorizationFailed))],
            });
        }

        // Each topic is checked once; only topics the request names are audited when refused (Kafka filters the
        // every-partition form quietly).
        var checkedTopics = context.AuthorizationEnabled ? new Dictionary<string, bool>(StringComparer.Ordinal) : null;
        bool MayDescribe(string topic)
        {
            if (checkedTopics is null)
            {
                return true;
            }

            if (!checkedTopics.TryGetValue(topic, out var allowed))
            {
                allowed = context.Authorize(AclOperation.Describe, AclResourceType.Topic, topic, logIfDenied: request.Topics is not null);
                checkedTopics[topic] = allowed;
            }

            return allowed;
        }

        var requested = request.Topics?.Where(t => MayDescribe(t.Name)).SelectMany(t => t.PartitionIndexes.Select(p => new TopicPartition(t.Name, p))).ToList();
        var offsets = context.Broker.Groups.FetchOffsets(request.GroupId, requested);
        var unstable = request.RequireStable ? context.Broker.Groups.PendingTransactionalPartitions(request.GroupId) : null;
        var response = new OffsetFetchResponse
        {
            Topics = [.. offsets.Where(o => MayDescribe(o.Partition.Topic)).GroupBy(o => o.Partition.Topic, StringComparer.Ordinal).Select(topic => new OffsetFetchResponse.Topic
            {
                Name = topic.Key,
                Partitions = [.. topic.Select(p => unstable?.Contains(p.Partition) == true
                    ? new OffsetFetchResponse.Partition
                    {
                        PartitionIndex = p.Partition.Partition, CommittedOffset = -1, CommittedLeaderEpoch = -1, Metadata = string.Empty, ErrorCode = ErrorCode.UnstableOffsetCommit,
                    }
                    : new OffsetFetchResponse.Partition
                    {
                        PartitionIndex = p.Partition.Partition,
                        CommittedOffset = p.Offset?.Offset ?? -1,
                        CommittedLeaderEpoch = p.Offset?.LeaderEpoch ?? -1,
                        Metadata = p.Offset?.Metadata ?? string.Empty,
                    })],
            })],
        };
        if (request.Topics is not null && checkedTopics is not null)
        {
            response.Topics.AddRange(request.Topics.Where(t => !checkedTopics[t.Name]).Select(t => Failed(t, ErrorCode.TopicAuthorizationFailed)));
        }

        return ValueTask.FromResult(response);
    }

    private static OffsetFetchResponse.Topic Failed(OffsetFetchRequest.Topic topic, ErrorCode error) => new()
    {
        Name = topic.Name,
        Partitions = [.. topic.PartitionIndexes.Select(p => new OffsetFetchResponse.Partition
        {
            PartitionIndex = p, CommittedOffset = -1, CommittedLeaderEpoch = -1, Metadata = string.Empty, ErrorCode = error,
        })],
    };
}
