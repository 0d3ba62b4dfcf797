using Streams.Broker.Groups;
using Streams.Broker.Protocol;
using Streams.Broker.Protocol.Messages;
using Streams.Broker.Security.Authorization;

namespace Streams.Broker.Apis;

/// <summary>
/// ConsumerGroupDescribe (69), v0 (KIP-848; flexible): group and assignment epochs, the assignor, and each member's
/// epoch, subscription, current and target assignment. A classic or unknown group answers GROUP_ID_NOT_FOUND, which
/// is how librdkafka's DescribeConsumerGroups knows to ask DescribeGroups instead. Needs Describe on each group.
/// </summary>
internal sealed class ConsumerGroupDescribeApi : ApiHandler<ConsumerGroupDescribeRequest, ConsumerGroupDescribeResponse>
{
    public override ValueTask<ConsumerGroupDescribeResponse> HandleAsync(RequestContext context, ConsumerGroupDescribeRequest request)
    {
        var response = new ConsumerGroupDescribeResponse();
        var ids = context.Broker.Logs.Topics.ToDictionary(t => t.Name, t => t.Id, StringComparer.Ordinal);
        foreach (var groupId in request.GroupIds)
        {
            if (!context.Authorize(AclOperation.Describe, AclResourceType.Group, groupId))
            {
                response.Groups.Add(new ConsumerGroupDescribeResponse.DescribedGroup { ErrorCode = ErrorCode.GroupAuthorizationFailed, GroupId = groupId });
                continue;
            }

            if (groupId.Length == 0)
            {
                response.Groups.Add(new ConsumerGroupDescribeResponse.DescribedGroup { ErrorCode = ErrorCode.InvalidGroupId, GroupId = groupId });
                continue;
            }

            if (context.Broker.Groups.DescribeConsumerGroup(groupId) is not { } group)
            {
                response.Groups.Add(new ConsumerGroupDescribeResponse.DescribedGroup
                {
                    ErrorCode = ErrorCode.GroupIdNotFound,
                    ErrorMessage = context.Broker.Groups.Exists(groupId) ? $"Group {groupId} is not a consumer group." : $"Group {groupId} not found.",
                    GroupId = groupId,
                });
                continue;
            }

            response.Groups.Add(new ConsumerGroupDescribeResponse.DescribedGroup
            {
                GroupId = groupId,
                GroupState = group.State,
                GroupEpoch = group.GroupEpoch,
                AssignmentEpoch = group.AssignmentEpoch,
                AssignorName = group.AssignorName,
                Members = [.. group.Members.Select(m => new ConsumerGroupDescribeResponse.Member
                {
                    MemberId = m.MemberId,
                    InstanceId = m.InstanceId,
                    RackId = m.RackId,
                    MemberEpoch = m.MemberEpoch,
                    ClientId = m.ClientId,
                    ClientHost = m.ClientHost,
                    SubscribedTopicNames = [.. m.SubscribedTopicNames],
                    SubscribedTopicRegex = m.SubscribedTopicRegex,
                    Assignment = new ConsumerGroupDescribeResponse.CurrentAssignment
                    {
                        TopicPartitions = [.. ByTopic(m.Assignment).Select(t => new ConsumerGroupDescribeResponse.CurrentTopic
                            { TopicId = ids.GetValueOrDefault(t.Topic), TopicName = t.Topic, Partitions = t.Partitions })],
                    },
                    TargetAssignment = new ConsumerGroupDescribeResponse.TargetAssignmentOf
                    {
                        TopicPartitions = [.. ByTopic(m.TargetAssignment).Select(t => new ConsumerGroupDescribeResponse.TargetTopic
                            { TopicId = ids.GetValueOrDefault(t.Topic), TopicName = t.Topic, Partitions = t.Partitions })],
                    },
                })],
                AuthorizedOperations = request.IncludeAuthorizedOperations ? context.AuthorizedOperations(AclResourceType.Group, groupId) : int.MinValue,
            });
        }

        return ValueTask.FromResult(response);
    }

    private static IEnumerable<(string Topic, List<int> Partitions)> ByTopic(IEnumerable<TopicPartition> partitions) =>
        partitions.GroupBy(p => p.Topic, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => (g.Key, g.Select(p => p.Partition).Order().ToList()));
}
