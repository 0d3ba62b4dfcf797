using Streams.Broker.Groups;
using Streams.Broker.Protocol;
using Streams.Broker.Protocol.Messages;
using Streams.Broker.Security.Authorization;

namespace Streams.Broker.Apis;

/// <summary>
/// OffsetFetch (9), v1-9 (v6+ flexible): v2 Topics may be null (every committed partition) and a top-level
/// ErrorCode, v3 ThrottleTimeMs, v5 CommittedLeaderEpoch, v7 RequireStable (KIP-447): a partition whose offset an open
/// transaction holds (TxnOffsetCommit not yet ended by EndTxn) answers UNSTABLE_OFFSET_COMMIT and offset -1 instead of
/// the older offset, so a read_committed consumer starting meanwhile retries rather than re-processing.
/// v8 asks for many groups in one request, each answered with its own error; v9 adds the KIP-848 member id and epoch,
/// checked against a consumer group's member as Kafka does (STALE_MEMBER_EPOCH, UNKNOWN_MEMBER_ID for the group).
/// A partition without a committed offset gets offset -1 and no error; an unknown group is not an error either.
/// Authorization as Kafka: Describe on the group (else GROUP_AUTHORIZATION_FAILED: top-level from v2, per group from
/// v8, and on every requested partition before v2), Describe on each topic: named partitions of other topics answer
/// TOPIC_AUTHORIZATION_FAILED, and a request for every partition leaves those topics out.
/// </summary>
internal sealed class OffsetFetchApi : ApiHandler<OffsetFetchRequest, OffsetFetchResponse>
{
    /// <summary>The first version that carries a list of groups.</summary>
    private const short GroupsVersion = 8;

    public override ValueTask<OffsetFetchResponse> HandleAsync(RequestContext context, OffsetFetchRequest request)
    {
        if (context.ApiVersion >= GroupsVersion)
        {
            return ValueTask.FromResult(new OffsetFetchResponse
            {
                Groups = [.. request.Groups.Select(group =>
                {
                    var topics = group.Topics?.Select(t => (t.Name, (IReadOnlyList<int>)t.PartitionIndexes)).ToList();
                    var result = Fetch(context, group.GroupId, topics, group.MemberId, group.MemberEpoch, request.RequireStable);
                    return new OffsetFetchResponse.Group
                    {
                        GroupId = group.GroupId,
                        ErrorCode = result.Error,
                        Topics = [.. result.Topics.Select(t => new OffsetFetchResponse.GroupTopic
                        {
                            Name = t.Name,
                            Partitions = [.. t.Partitions.Select(p => new OffsetFetchResponse.GroupPartition
                            {
                                PartitionIndex = p.Index, CommittedOffset = p.Offset, CommittedLeaderEpoch = p.LeaderEpoch, Metadata = p.Metadata, ErrorCode = p.Error,
                            })],
                        })],
                    };
                })],
            });
        }

        var single = Fetch(context, request.GroupId, request.Topics?.Select(t => (t.Name, (IReadOnlyList<int>)t.PartitionIndexes)).ToList(), null, -1, request.RequireStable);
        if (single.Error != ErrorCode.None && context.ApiVersion < 2)
        {
            // Before the top-level error code existed, the group's error is reported on every requested partition.
            return ValueTask.FromResult(new OffsetFetchResponse
            {
                Topics = [.. (request.Topics ?? []).Select(t => ToTopic(new TopicResult(t.Name, [.. t.PartitionIndexes.Select(p => PartitionResult.None(p, single.Error))])))],
            });
        }

        return ValueTask.FromResult(new OffsetFetchResponse { ErrorCode = single.Error, Topics = [.. single.Topics.Select(ToTopic)] });
    }

    private static OffsetFetchResponse.Topic ToTopic(TopicResult topic) => new()
    {
        Name = topic.Name,
        Partitions = [.. topic.Partitions.Select(p => new OffsetFetchResponse.Partition
        {
            PartitionIndex = p.Index, CommittedOffset = p.Offset, CommittedLeaderEpoch = p.LeaderEpoch, Metadata = p.Metadata, ErrorCode = p.Error,
        })],
    };

    /// <summary>One group's answer, whichever version carries it.</summary>
    private static GroupResult Fetch(RequestContext context, string groupId, List<(string Name, IReadOnlyList<int> Partitions)>? requestedTopics, string? memberId, int memberEpoch, bool requireStable)
    {
        if (!context.Authorize(AclOperation.Describe, AclResourceType.Group, groupId))
        {
            return new GroupResult(ErrorCode.GroupAuthorizationFailed, []);
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
                allowed = context.Authorize(AclOperation.Describe, AclResourceType.Topic, topic, logIfDenied: requestedTopics is not null);
                checkedTopics[topic] = allowed;
            }

            return allowed;
        }

        var groups = context.Broker.Groups;
        if (groups.ValidateOffsetFetch(groupId, memberId, memberEpoch) is var memberError && memberError != ErrorCode.None)
        {
            return new GroupResult(memberError, []);
        }

        var requested = requestedTopics?.Where(t => MayDescribe(t.Name)).SelectMany(t => t.Partitions.Select(p => new TopicPartition(t.Name, p))).ToList();
        var offsets = groups.FetchOffsets(groupId, requested);
        var unstable = requireStable ? groups.PendingTransactionalPartitions(groupId) : null;
        var topics = offsets.Where(o => MayDescribe(o.Partition.Topic)).GroupBy(o => o.Partition.Topic, StringComparer.Ordinal).Select(topic => new TopicResult(
            topic.Key,
            [.. topic.Select(p => unstable?.Contains(p.Partition) == true
                ? PartitionResult.None(p.Partition.Partition, ErrorCode.UnstableOffsetCommit)
                : new PartitionResult(p.Partition.Partition, p.Offset?.Offset ?? -1, p.Offset?.LeaderEpoch ?? -1, p.Offset?.Metadata ?? string.Empty, ErrorCode.None))])).ToList();
        if (requestedTopics is not null && checkedTopics is not null)
        {
            topics.AddRange(requestedTopics.Where(t => !checkedTopics[t.Name]).Select(t => new TopicResult(t.Name, [.. t.Partitions.Select(p => PartitionResult.None(p, ErrorCode.TopicAuthorizationFailed))])));
        }

        return new GroupResult(ErrorCode.None, topics);
    }

    private sealed record GroupResult(ErrorCode Error, List<TopicResult> Topics);

    private sealed record TopicResult(string Name, List<PartitionResult> Partitions);

    private sealed record PartitionResult(int Index, long Offset, int LeaderEpoch, string Metadata, ErrorCode Error)
    {
        /// <summary>A partition answered with an error and no offset.</summary>
        public static PartitionResult None(int index, ErrorCode error) => new(index, -1, -1, string.Empty, error);
    }
}
