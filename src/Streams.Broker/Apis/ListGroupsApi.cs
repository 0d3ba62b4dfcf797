using Streams.Broker.Protocol;
using Streams.Broker.Protocol.Messages;
using Streams.Broker.Security.Authorization;

namespace Streams.Broker.Apis;

/// <summary>
/// ListGroups (16), v0-5 (v3+ flexible): v1 ThrottleTimeMs, v4 StatesFilter and GroupState (KIP-518), v5 TypesFilter
/// and GroupType (KIP-848: "classic" for JoinGroup/SyncGroup groups, "consumer" for ConsumerGroupHeartbeat ones). v0 stays:
/// librdkafka's legacy rd_kafka_list_groups (Confluent.Kafka AdminClient.ListGroups) pins it.
/// ProtocolType is "" for simple groups that only store offsets. Lists every group for a principal with Describe on
/// the cluster, otherwise only the groups it may Describe (as Kafka; nothing is refused).
/// </summary>
internal sealed class ListGroupsApi : ApiHandler<ListGroupsRequest, ListGroupsResponse>
{
    public override ValueTask<ListGroupsResponse> HandleAsync(RequestContext context, ListGroupsRequest request)
    {
        // Kafka compares types case-insensitively; a filter naming only other types ("share", "streams") lists nothing.
        var groups = context.Broker.Groups.ListGroups(request.StatesFilter);
        if (request.TypesFilter.Count > 0)
        {
            groups = [.. groups.Where(g => request.TypesFilter.Contains(g.Type, StringComparer.OrdinalIgnoreCase))];
        }

        if (context.AuthorizationEnabled && !context.AuthorizeCluster(AclOperation.Describe, logIfDenied: false))
        {
            groups = [.. groups.Where(g => context.Authorize(AclOperation.Describe, AclResourceType.Group, g.GroupId, logIfDenied: false))];
        }

        return ValueTask.FromResult(new ListGroupsResponse
        {
            Groups = [.. groups.Select(g => new ListGroupsResponse.Group { GroupId = g.GroupId, ProtocolType = g.ProtocolType, GroupState = g.State, GroupType = g.Type })],
        });
    }
}
