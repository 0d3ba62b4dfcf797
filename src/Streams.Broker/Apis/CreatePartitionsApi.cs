using Streams.Broker.Protocol;

namespace Streams.Broker.Apis;

/// <summary>CreatePartitions (37), v0-1: Count is the new total; new partitions start empty on this node.</summary>
internal sealed class CreatePartitionsApi : ApiHandler
{
    public override ApiKey Key => ApiKey.CreatePartitions;

    public override short MinVersion => 0;

    public override short MaxVersion => 1;

    public override ValueTask HandleAsync(RequestContext context, KafkaReader request, KafkaWriter response)
    {
        var topics = request.ReadArray((ref KafkaReader t) => (
            Name: t.ReadString(),
            Count: t.ReadInt32(),
            Assignments: t.ReadNullableArray((ref KafkaReader a) => a.ReadArray((ref KafkaReader b) => b.ReadInt32()))));
        request.ReadInt32();
        var validateOnly = request.ReadBool();

        response.WriteInt32(0);
        response.WriteArrayLength(topics.Count);
        foreach (var (name, count, assignments) in topics)
        {
            var result = assignments is not null && assignments.Any(a => a.Count != 1 || a[0] != context.Broker.NodeId)
                ? new Storage.TopicResult(ErrorCode.InvalidReplicaAssignment, $"Every new partition must be assigned to broker {context.Broker.NodeId} only.")
                : context.Broker.Logs.CreatePartitions(name, count, validateOnly);
            response.WriteString(name);
            response.WriteErrorCode(result.Error);
            response.WriteNullableString(result.Message);
        }

        return ValueTask.CompletedTask;
    }
}
