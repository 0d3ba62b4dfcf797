using System.Net;
using Streams.Broker.Groups;
using Streams.Broker.Groups.Consumer;
using Streams.Broker.Protocol;
using Streams.Broker.Protocol.Messages;
using Streams.Broker.Security.Authorization;

namespace Streams.Broker.Apis;

/// <summary>
/// ConsumerGroupHeartbeat (68), v0-1 (KIP-848; flexible): joins (epoch 0), keeps alive and reconciles a member of a
/// <c>consumer</c> group, and leaves it (epoch -1, or -2 for a static member that will return). v1: the client makes
/// its own member id and may subscribe by regular expression. Partitions travel by topic id, which librdkafka maps
/// to names with Metadata v12. Needs Read on the group (GROUP_AUTHORIZATION_FAILED) and Describe on each topic
/// subscribed by name (TOPIC_AUTHORIZATION_FAILED). A regex matches every topic here; Fetch still checks Read on each.
/// </summary>
internal sealed class ConsumerGroupHeartbeatApi : ApiHandler<ConsumerGroupHeartbeatRequest, ConsumerGroupHeartbeatResponse>
{
    public override ValueTask<ConsumerGroupHeartbeatResponse> HandleAsync(RequestContext context, ConsumerGroupHeartbeatRequest request)
    {
        if (!context.Authorize(AclOperation.Read, AclResourceType.Group, request.GroupId))
        {
            return Failed(ErrorCode.GroupAuthorizationFailed, null);
        }

        if (request.SubscribedTopicNames?.FirstOrDefault(t => !context.Authorize(AclOperation.Describe, AclResourceType.Topic, t)) is { } denied)
        {
            return Failed(ErrorCode.TopicAuthorizationFailed, $"Unauthorized topic: {denied}.");
        }

        var logs = context.Broker.Logs;
        List<TopicPartition>? owned = null;
        if (request.TopicPartitions is { } reported)
        {
            // Partitions of a topic id that no longer exists (deleted topic) are simply not owned any more.
            var names = logs.Topics.ToDictionary(t => t.Id, t => t.Name);
            owned = [.. reported.Where(t => names.ContainsKey(t.TopicId)).SelectMany(t => t.Partitions.Select(p => new TopicPartition(names[t.TopicId], p)))];
        }

        var result = context.Broker.Groups.ConsumerHeartbeat(new ConsumerHeartbeatRequest(
            request.GroupId, request.MemberId, request.MemberEpoch, request.InstanceId, request.RackId, request.RebalanceTimeoutMs,
            request.SubscribedTopicNames, request.SubscribedTopicRegex, request.ServerAssignor, owned,
            context.ClientId ?? string.Empty, FormatHost(context.ClientHost)));
        if (result.Error != ErrorCode.None)
        {
            return Failed(result.Error, result.ErrorMessage);
        }

        ConsumerGroupHeartbeatResponse.MemberAssignment? assignment = null;
        if (result.Assignment is { } assigned)
        {
            var ids = logs.Topics.ToDictionary(t => t.Name, t => t.Id, StringComparer.Ordinal);
            assignment = new ConsumerGroupHeartbeatResponse.MemberAssignment
            {
                TopicPartitions = [.. assigned.Where(p => ids.ContainsKey(p.Topic)).GroupBy(p => p.Topic, StringComparer.Ordinal)
                    .OrderBy(g => g.Key, StringComparer.Ordinal)
                    .Select(g => new ConsumerGroupHeartbeatResponse.AssignedTopic { TopicId = ids[g.Key], Partitions = [.. g.Select(p => p.Partition).Order()] })],
            };
        }

        return ValueTask.FromResult(new ConsumerGroupHeartbeatResponse
        {
            MemberId = result.MemberId,
            MemberEpoch = result.MemberEpoch,
            HeartbeatIntervalMs = result.HeartbeatIntervalMs,
            Assignment = assignment,
        });
    }

    private static ValueTask<ConsumerGroupHeartbeatResponse> Failed(ErrorCode error, string? message) =>
        ValueTask.FromResult(new ConsumerGroupHeartbeatResponse { ErrorCode = error, ErrorMessage = message });

    private static string FormatHost(string endpoint) =>
        IPEndPoint.TryParse(endpoint, out var parsed) ? "/" + parsed.Address : "/" + endpoint;
}
