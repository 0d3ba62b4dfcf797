using Streams.Broker.Protocol;
using Streams.Broker.Protocol.Messages;
using Streams.Broker.Security.Authorization;
using Streams.Broker.Storage;

namespace Streams.Broker.Apis;

/// <summary>
/// CreatePartitions (37), v0-3 (v2+ flexible, v3 nothing new): Count is the new total; new partitions start empty on this node. Needs Alter on each
/// topic (TOPIC_AUTHORIZATION_FAILED, answered before whether the topic exists).
/// </summary>
internal sealed class CreatePartitionsApi : ApiHandler<CreatePartitionsRequest, CreatePartitionsResponse>
{
    public override ValueTask<CreatePartitionsResponse> HandleAsync(RequestContext context, CreatePartitionsRequest request)
    {
        var nodeId = context.Broker.NodeId;
        var logs = context.Broker.Logs;
        var response = new CreatePartitionsResponse();
        var duplicates = request.Topics.GroupBy(t => t.Name, StringComparer.Ordinal).Where(g => g.Count() > 1).Select(g => g.Key).ToHashSet(StringComparer.Ordinal);
        lock (PartitionLimits.AdminLock)
        {
            // All topics are checked first and the limits apply to their sum, so nothing is persisted for a request
            // that would take the broker past them (a count of 2^31-1 included).
            var checks = request.Topics.Select(topic =>
                duplicates.Contains(topic.Name) ? new TopicResult(ErrorCode.InvalidRequest, $"Duplicate topic in request: {topic.Name}")
                : !context.Authorize(AclOperation.Alter, AclResourceType.Topic, topic.Name) ? new TopicResult(ErrorCode.TopicAuthorizationFailed, "Authorization failed.")
                : topic.Assignments is { } assignments && assignments.Any(a => a.BrokerIds.Count != 1 || a.BrokerIds[0] != nodeId)
                    ? new TopicResult(ErrorCode.InvalidReplicaAssignment, $"Every new partition must be assigned to broker {nodeId} only.")
                : logs.CreatePartitions(topic.Name, topic.Count, validateOnly: true)).ToList();
            var added = request.Topics.Select((t, i) => checks[i].Error == ErrorCode.None ? (long)t.Count - (logs.GetTopic(t.Name)?.Partitions.Count ?? 0) : 0).Sum();
            var limitError = PartitionLimits.Check(context.Broker, added);
            for (var i = 0; i < checks.Count; i++)
            {
                var topic = request.Topics[i];
                var result = checks[i].Error != ErrorCode.None ? checks[i]
                    : limitError is not null ? new TopicResult(ErrorCode.PolicyViolation, limitError)
                    : logs.CreatePartitions(topic.Name, topic.Count, request.ValidateOnly);
                response.Results.Add(new CreatePartitionsResponse.Topic { Name = topic.Name, ErrorCode = result.Error, ErrorMessage = result.Message });
            }
        }

        return ValueTask.FromResult(response);
    }
}
