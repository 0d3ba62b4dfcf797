using Streams.Broker.Protocol;

namespace Streams.Broker.Apis;

/// <summary>Heartbeat (12), v0-3: v1 ThrottleTimeMs, v2 nothing new, v3 GroupInstanceId.</summary>
internal sealed class HeartbeatApi : ApiHandler
{
    public override ApiKey Key => ApiKey.Heartbeat;

    public override short MinVersion => 0;

    public override short MaxVersion => 3;

    public override ValueTask HandleAsync(RequestContext context, KafkaReader request, KafkaWriter response)
    {
        var groupId = request.ReadString();
        var generationId = request.ReadInt32();
        var memberId = request.ReadString();
        var groupInstanceId = context.ApiVersion >= 3 ? request.ReadNullableString() : null;

        var error = context.Broker.Groups.Heartbeat(groupId, generationId, memberId, groupInstanceId);

        if (context.ApiVersion >= 1)
        {
            response.WriteInt32(0);
        }

        response.WriteErrorCode(error);
        return ValueTask.CompletedTask;
    }
}
