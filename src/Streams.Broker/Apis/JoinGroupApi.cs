using System.Net;
using Streams.Broker.Groups;
using Streams.Broker.Protocol;

namespace Streams.Broker.Apis;

/// <summary>
/// JoinGroup (11), v2-5: v1 RebalanceTimeoutMs, v2 ThrottleTimeMs, v3 nothing new, v4 the MEMBER_ID_REQUIRED
/// two-step join (KIP-394), v5 GroupInstanceId (static membership, KIP-345). The response is parked until the
/// join phase of the rebalance completes.
/// </summary>
internal sealed class JoinGroupApi : ApiHandler
{
    public override ApiKey Key => ApiKey.JoinGroup;

    public override short MinVersion => 2;

    public override short MaxVersion => 5;

    public override async ValueTask HandleAsync(RequestContext context, KafkaReader request, KafkaWriter response)
    {
        var version = context.ApiVersion;
        var groupId = request.ReadString();
        var sessionTimeoutMs = request.ReadInt32();
        var rebalanceTimeoutMs = request.ReadInt32();
        var memberId = request.ReadString();
        var groupInstanceId = version >= 5 ? request.ReadNullableString() : null;
        var protocolType = request.ReadString();
        var protocols = request.ReadArray((ref KafkaReader r) => new GroupProtocol(r.ReadString(), r.ReadBytes().ToArray()));

        var result = await context.Broker.Groups.JoinAsync(new JoinRequest(
            groupId, memberId, groupInstanceId, protocolType, protocols, sessionTimeoutMs, rebalanceTimeoutMs,
            context.ClientId ?? string.Empty, FormatHost(context.ClientHost), RequireKnownMemberId: version >= 4))
            .WaitAsync(context.CancellationToken).ConfigureAwait(false);

        response.WriteInt32(0);
        response.WriteErrorCode(result.Error);
        response.WriteInt32(result.GenerationId);
        response.WriteString(result.ProtocolName ?? string.Empty);
        response.WriteString(result.LeaderId);
        response.WriteString(result.MemberId);
        response.WriteArrayLength(result.Members.Count);
        foreach (var member in result.Members)
        {
            response.WriteString(member.MemberId);
            if (version >= 5)
            {
                response.WriteNullableString(member.GroupInstanceId);
            }

            response.WriteBytes(member.Metadata);
        }
    }

    /// <summary>Kafka reports a member's host as "/address" (Java's InetAddress.toString).</summary>
    private static string FormatHost(string endpoint) =>
        IPEndPoint.TryParse(endpoint, out var parsed) ? "/" + parsed.Address : "/" + endpoint;
}
