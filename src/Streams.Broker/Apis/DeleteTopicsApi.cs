using Streams.Broker.Protocol;
using Streams.Broker.Protocol.Messages;
using Streams.Broker.Security.Authorization;
using Streams.Broker.Storage;

namespace Streams.Broker.Apis;

/// <summary>
/// DeleteTopics (20), v0-4: identical apart from ThrottleTimeMs (v1+) and v4 being flexible. Data, indexes and metadata go at once.
/// Internal topics cannot be deleted (INVALID_TOPIC_EXCEPTION, as Kafka): <c>__consumer_offsets</c> is every group's memory.
/// With <c>delete.topic.enable=false</c> every deletion answers TOPIC_DELETION_DISABLED and nothing is touched.
/// Needs Delete on each topic (TOPIC_AUTHORIZATION_FAILED, answered before whether the topic exists).
/// </summary>
internal sealed class DeleteTopicsApi : ApiHandler<DeleteTopicsRequest, DeleteTopicsResponse>
{
    public override ValueTask<DeleteTopicsResponse> HandleAsync(RequestContext context, DeleteTopicsRequest request) =>
        ValueTask.FromResult(new DeleteTopicsResponse
        {
            Responses = [.. request.TopicNames.Select(name => new DeleteTopicsResponse.Topic
            {
                Name = name,
                ErrorCode = !context.Authorize(AclOperation.Delete, AclResourceType.Topic, name) ? ErrorCode.TopicAuthorizationFailed
                    : !context.Broker.Config.DeleteTopicEnable ? ErrorCode.TopicDeletionDisabled
                    : TopicNames.IsInternal(name) ? ErrorCode.InvalidTopicException
                    : context.Broker.Logs.DeleteTopic(name).Error,
            })],
        });
}
