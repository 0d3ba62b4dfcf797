using Streams.Broker.Protocol;
using Streams.Broker.Security;

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

    /// <summary>Set by handlers whose response is the last on this connection (a failed SASL step, as Kafka closes it).</summary>
    public bool CloseConnection { get; set; }

    /// <summary>The connection's SASL state on a SASL listener; null elsewhere.</summary>
    public Security.Authentication.Sasl.SaslAuthenticator? Authenticator { get; init; }

    /// <summary>The host Metadata and FindCoordinator give for this broker: the advertised address of the listener the request came in on.</summary>
    public string AdvertisedHost { get; init; } = broker.AdvertisedHost;

    /// <summary>The port that goes with <see cref="AdvertisedHost"/>.</summary>
    public int AdvertisedPort { get; init; } = broker.AdvertisedPort;
}
