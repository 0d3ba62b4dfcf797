using Streams.Broker.Protocol;

namespace Streams.Broker.Apis;

/// <summary>
/// LeaveGroup (13), v0-1: v1 ThrottleTimeMs. librdkafka never sends the batched v3+ form, and static members
/// never leave explicitly (they go by session timeout).
/// </summary>
internal sealed class LeaveGroupApi : ApiHandler
{
    public override ApiKey Key => ApiKey.LeaveGroup;

    public override short MinVersion => 0;

    public override short MaxVersion => 1;

    public override ValueTask HandleAsync(RequestContext context, KafkaReader request, KafkaWriter response)
    {
        var groupId = request.ReadString();
        var memberId = request.ReadString();

        var error = context.Broker.Groups.Leave(groupId, memberId);

        if (context.ApiVersion >= 1)
        {
            response.WriteInt32(0);
        }

        response.WriteErrorCode(error);
        return ValueTask.CompletedTask;
    }
}
