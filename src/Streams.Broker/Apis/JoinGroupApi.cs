using System.Net;
using Streams.Broker.Groups;
using Streams.Broker.Protocol;
using Streams.Broker.Protocol.Messages;
using Streams.Broker.Security.Authorization;

namespace Streams.Broker.Apis;

/// <summary>
/// JoinGroup (11), v2-6 (v6 flexible): v1 RebalanceTimeoutMs, v2 ThrottleTimeMs, v3 nothing new, v4 the MEMBER_ID_REQUIRED
/// two-step join (KIP-394), v5 GroupInstanceId (static membership, KIP-345). The response is parked until the
/// join phase of the rebalance completes. Needs Read on the group (GROUP_AUTHORIZATION_FAILED).
/// </summary>
internal sealed class JoinGroupApi : ApiHandler<JoinGroupRequest, JoinGroupResponse>
{
    public override async ValueTask<JoinGroupResponse> HandleAsync(RequestContext context, JoinGroupRequest request)
    {
        if (!context.Authorize(AclOperation.Read, AclResourceType.Group, request.GroupId))
        {
            return new JoinGroupResponse { ErrorCode = ErrorCode.GroupAuthorizationFailed, GenerationId = -1, MemberId = request.MemberId };
        }

        // Metadata is copied: the group keeps it after the request frame goes back to the pool.
        var protocols = request.Protocols.Select(p => new GroupProtocol(p.Name, p.Metadata.ToArray())).ToList();
        var result = await context.Broker.Groups.JoinAsync(new JoinRequest(
            request.GroupId, request.MemberId, request.GroupInstanceId, request.ProtocolType, protocols, request.SessionTimeoutMs, request.RebalanceTimeoutMs,
            context.ClientId ?? string.Empty, FormatHost(context.ClientHost), RequireKnownMemberId: context.ApiVersion >= 4))
            .WaitAsync(context.CancellationToken).ConfigureAwait(false);

        return new JoinGroupResponse
        {
            ErrorCode = result.Error,
            GenerationId = result.GenerationId,
            ProtocolName = result.ProtocolName ?? string.Empty,
            Leader = result.LeaderId,
            MemberId = result.MemberId,
            Members = [.. result.Members.Select(m => new JoinGroupResponse.Member { MemberId = m.MemberId, GroupInstanceId = m.GroupInstanceId, Metadata = m.Metadata })],
        };
    }

    /// <summary>Kafka reports a member's host as "/address" (Java's InetAddress.toString).</summary>
    private static string FormatHost(string endpoint) =>
        IPEndPoint.TryParse(endpoint, out var parsed) ? "/" + parsed.Address : "/" + endpoint;
}
