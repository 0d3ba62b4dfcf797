using Streams.Broker.Protocol;
using Streams.Broker.Protocol.Messages;
using Streams.Broker.Storage;

namespace Streams.Broker.Apis;

/// <summary>CreatePartitions (37), v0-1: Count is the new total; new partitions start empty on this node.</summary>
internal sealed class CreatePartitionsApi : ApiHandler<CreatePartitionsRequest, CreatePartitionsResponse>
{
    public override ValueTask<CreatePartitionsResponse> HandleAsync(RequestContext context, CreatePartitionsRequest request)
    {
        var nodeId = context.Broker.NodeId;
        var response = new CreatePartitionsResponse();
        foreach (var topic in request.Topics)
        {
            var result = topic.Assignments is { } assignments && assignments.Any(a => a.BrokerIds.Count != 1 || a.BrokerIds[0] != nodeId)
                ? new TopicResult(ErrorCode.InvalidReplicaAssignment, $"Every new partition must be assigned to broker {nodeId} only.")
                : context.Broker.Logs.CreatePartitions(topic.Name, topic.Count, request.ValidateOnly);
            response.Results.Add(new CreatePartitionsResponse.Topic { Name = topic.Name, ErrorCode = result.Error, ErrorMessage = result.Message });
        }

        return ValueTask.FromResult(response);
    }
}
