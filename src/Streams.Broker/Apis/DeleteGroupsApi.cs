using Streams.Broker.Protocol;

namespace Streams.Broker.Apis;

/// <summary>DeleteGroups (42), v0-1 (identical but for throttling semantics): Empty groups go with their offsets; active ones get NON_EMPTY_GROUP.</summary>
internal sealed class DeleteGroupsApi : ApiHandler
{
    public override ApiKey Key => ApiKey.DeleteGroups;

    public override short MinVersion => 0;

    public override short MaxVersion => 1;

    public override ValueTask HandleAsync(RequestContext context, KafkaReader request, KafkaWriter response)
    {
        var groupIds = request.ReadArray((ref KafkaReader r) => r.ReadString());

        response.WriteInt32(0);
        response.WriteArrayLength(groupIds.Count);
        foreach (var groupId in groupIds)
        {
            response.WriteString(groupId);
            response.WriteErrorCode(context.Broker.Groups.DeleteGroup(groupId));
        }

        return ValueTask.CompletedTask;
    }
}
