using Streams.Broker.Protocol;
using Streams.Broker.Protocol.Messages;
using Streams.Broker.Security.Authorization;

namespace Streams.Broker.Apis;

/// <summary>
/// ListOffsets (2), v1-7: v2 IsolationLevel, v4 CurrentLeaderEpoch and LeaderEpoch, v6 flexible, v7 MAX_TIMESTAMP.
/// Timestamps: -1 latest (the LSO under read_committed), -2 earliest, -3 the record with the largest timestamp,
/// otherwise the first record whose timestamp is at or after the one given (the search is the partition's:
/// <see cref="Storage.Partition.FetchOffsetForTimestamp"/>). Needs Describe on each topic (else
/// TOPIC_AUTHORIZATION_FAILED for its partitions).
/// </summary>
internal sealed class ListOffsetsApi : ApiHandler<ListOffsetsRequest, ListOffsetsResponse>
{
    public override ValueTask<ListOffsetsResponse> HandleAsync(RequestContext context, ListOffsetsRequest request) =>
        ValueTask.FromResult(new ListOffsetsResponse
        {
            Topics = [.. request.Topics.Select(topic => new ListOffsetsResponse.Topic
            {
                Name = topic.Name,
                Partitions = context.Authorize(AclOperation.Describe, AclResourceType.Topic, topic.Name, topic.Partitions.Count)
                    ? [.. topic.Partitions.Select(p => Lookup(context.Broker, topic.Name, p, request.IsolationLevel == 1))]
                    : [.. topic.Partitions.Select(p => new ListOffsetsResponse.Partition
                    {
                        PartitionIndex = p.PartitionIndex, ErrorCode = ErrorCode.TopicAuthorizationFailed, Timestamp = -1, Offset = -1, LeaderEpoch = -1,
                    })],
            })],
        });

    private static ListOffsetsResponse.Partition Lookup(BrokerContext broker, string topic, ListOffsetsRequest.Partition request, bool readCommitted)
    {
        var (error, timestamp, offset) = broker.Logs.GetPartition(topic, request.PartitionIndex) is { } partition
            ? partition.FetchOffsetForTimestamp(request.Timestamp, readCommitted)
            : (ErrorCode.UnknownTopicOrPartition, -1L, -1L);
        return new ListOffsetsResponse.Partition
        {
            PartitionIndex = request.PartitionIndex,
            ErrorCode = error,
            Timestamp = timestamp,
            Offset = offset,
            LeaderEpoch = error == ErrorCode.None ? 0 : -1,
        };
    }
}
