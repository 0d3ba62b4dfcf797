using Streams.Broker.Protocol;

namespace Streams.Broker.Apis;

/// <summary>
/// SyncGroup (14), v0-3: v1 ThrottleTimeMs, v2 nothing new, v3 GroupInstanceId. The leader sends the assignment;
/// every member's response is parked until it arrives.
/// </summary>
internal sealed class SyncGroupApi : ApiHandler
{
    public override ApiKey Key => ApiKey.SyncGroup;

    public override short MinVersion => 0;

    public override short MaxVersion => 3;

    public override async ValueTask HandleAsync(RequestContext context, KafkaReader request, KafkaWriter response)
    {
        var version = context.ApiVersion;
        var groupId = request.ReadString();
        var generationId = request.ReadInt32();
        var memberId = request.ReadString();
        var groupInstanceId = version >= 3 ? request.ReadNullableString() : null;
        var assignments = request.ReadArray((ref KafkaReader r) => (r.ReadString(), r.ReadBytes().ToArray()));

        var result = await context.Broker.Groups.SyncAsync(groupId, generationId, memberId, groupInstanceId, assignments)
            .WaitAsync(context.CancellationToken).ConfigureAwait(false);

        if (version >= 1)
        {
            response.WriteInt32(0);
        }

        response.WriteErrorCode(result.Error);
        response.WriteBytes(result.Assignment);
    }
}
