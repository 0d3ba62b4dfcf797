using Streams.Broker.Protocol;
using Streams.Broker.Storage;

namespace Streams.Broker.Apis;

/// <summary>
/// DeleteTopics (20), v0-3: identical apart from ThrottleTimeMs (v1+). Data, indexes and metadata go at once.
/// Internal topics cannot be deleted (INVALID_TOPIC_EXCEPTION, as Kafka): <c>__consumer_offsets</c> is every group's memory.
/// </summary>
internal sealed class DeleteTopicsApi : ApiHandler
{
    public override ApiKey Key => ApiKey.DeleteTopics;

    public override short MinVersion => 0;

    public override short MaxVersion => 3;

    public override ValueTask HandleAsync(RequestContext context, KafkaReader request, KafkaWriter response)
    {
        var names = request.ReadArray((ref KafkaReader r) => r.ReadString());
        request.ReadInt32();
        if (context.ApiVersion >= 1)
        {
            response.WriteInt32(0);
        }

        response.WriteArrayLength(names.Count);
        foreach (var name in names)
        {
            response.WriteString(name);
            response.WriteErrorCode(TopicNames.IsInternal(name) ? ErrorCode.InvalidTopicException : context.Broker.Logs.DeleteTopic(name).Error);
        }

        return ValueTask.CompletedTask;
    }
}
