using System.Net;
using Streams.Broker.Protocol;
using Streams.Broker.Security;
using Streams.Broker.Security.Authorization;

namespace Streams.Broker.Apis;

/// <summary>Everything a handler knows about the request it serves.</summary>
internal sealed class RequestContext(
    BrokerContext broker, ApiKey apiKey, short apiVersion, int correlationId, string? clientId, string clientHost, KafkaPrincipal principal, string listenerName, CancellationToken cancellationToken)
{
    public BrokerContext Broker { get; } = broker;

    public ApiKey ApiKey { get; } = apiKey;

    public short ApiVersion { get; } = apiVersion;

    public int CorrelationId { get; } = correlationId;

    public string? ClientId { get; } = clientId;

    public string ClientHost { get; } = clientHost;

    /// <summary>Who sent the request (<see cref="KafkaPrincipal.Anonymous"/> where the listener authenticates nobody).</summary>
    public KafkaPrincipal Principal { get; } = principal;

    /// <summary>The listener the request arrived on, as named in <c>listeners</c> (e.g. PLAINTEXT, SASL_SSL).</summary>
    public string ListenerName { get; } = listenerName;

    /// <summary>Cancelled when the connection or the broker closes.</summary>
    public CancellationToken CancellationToken { get; } = cancellationToken;

    /// <summary>Set by handlers of requests that get no response (Produce with acks=0).</summary>
    public bool SuppressResponse { get; set; }

    private string? _clientAddress;

    /// <summary>
    /// The client's IP address without its port, as ACL hosts name it (an IPv4 client on a dual-stack socket appears as
    /// its IPv4 address, not <c>::ffff:a.b.c.d</c>).
    /// </summary>
    public string ClientAddress => _clientAddress ??= ParseAddress(ClientHost);

    /// <summary>Whether authorization is on (an authorizer is configured).</summary>
    public bool AuthorizationEnabled => Broker.Authorizer is not null;

    /// <summary>
    /// Whether the request's principal may perform <paramref name="operation"/> on the resource; always true when
    /// authorization is off (no allocation, one null test). Denials go to the audit log.
    /// </summary>
    public bool Authorize(AclOperation operation, AclResourceType type, string name, int refCount = 1, bool logIfDenied = true) =>
        Broker.Authorizer is not { } authorizer
        || authorizer.Authorize(Principal, ClientAddress, operation, type, name, ApiKey, refCount, logIfDenied: logIfDenied);

    /// <summary><see cref="Authorize"/> on the cluster resource.</summary>
    public bool AuthorizeCluster(AclOperation operation, bool logIfDenied = true) =>
        Authorize(operation, AclResourceType.Cluster, AclBinding.ClusterName, logIfDenied: logIfDenied);

    /// <summary>
    /// The authorized-operations bit set for a resource (Metadata, DescribeGroups, DescribeCluster): every supported
    /// operation when authorization is off, as Kafka reports without an authorizer.
    /// </summary>
    public int AuthorizedOperations(AclResourceType type, string name) =>
        Broker.Authorizer is { } authorizer
            ? authorizer.AuthorizedOperations(Principal, ClientAddress, type, name, ApiKey)
            : AclAuthorizer.AllOperations(type);

    private static string ParseAddress(string clientHost)
    {
        if (!IPEndPoint.TryParse(clientHost, out var endPoint))
        {
            return clientHost;
        }

        var address = endPoint.Address.IsIPv4MappedToIPv6 ? endPoint.Address.MapToIPv4() : endPoint.Address;
        return address.ToString();
    }

    /// <summary>Set by handlers whose response is the last on this connection (a failed SASL step, as Kafka closes it).</summary>
    public bool CloseConnection { get; set; }

    /// <summary>The connection's SASL state on a SASL listener; null elsewhere.</summary>
    public Security.Authentication.Sasl.SaslAuthenticator? Authenticator { get; init; }

    /// <summary>The host Metadata and FindCoordinator give for this broker: the advertised address of the listener the request came in on.</summary>
    public string AdvertisedHost { get; init; } = broker.AdvertisedHost;

    /// <summary>The port that goes with <see cref="AdvertisedHost"/>.</summary>
    public int AdvertisedPort { get; init; } = broker.AdvertisedPort;
}
