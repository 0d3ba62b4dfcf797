using Streams.Contracts.Topics;

namespace Streams.Worker.Security;

/// <summary>
/// Which service each of the worker's Kafka clients belongs to, and so which principal it authenticates as: the
/// topic catalog grants access per service (<see cref="ServicePrincipals"/>), the worker names its clients.
/// </summary>
public static class ServiceClients
{
    public const string Publisher = "publisher";
    public const string Topology = "topology";
    public const string Audit = "audit";
    public const string Notifier = "notifier";
    public const string Registry = "registry";
    public const string Admin = "admin";

    /// <summary>Every service and the principal the catalog names for it (<c>admin</c>: the super user).</summary>
    public static IReadOnlyDictionary<string, string> Principals { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        [Publisher] = ServicePrincipals.Publisher,
        [Topology] = ServicePrincipals.Topology,
        [Audit] = ServicePrincipals.Audit,
        [Notifier] = ServicePrincipals.Notifier,
        [Registry] = ServicePrincipals.Registry,
        [Admin] = "User:admin",
    };

    /// <summary>
    /// The service of the worker's client <paramref name="client"/>: the topology's dead-letter writer is the topology,
    /// the notifications replay reads as the notifier, provisioning is the administrator (no service may create the
    /// catalog's topics). A client name not known here is its own service.
    /// </summary>
    public static string ServiceOf(string client) => client switch
    {
        "topology" or "topology-dead-letters" => Topology,
        "publisher" => Publisher,
        "audit-projection" => Audit,
        "notifier" or "notifications-replay" => Notifier,
        "admin" or "provisioning" => Admin,
        "registry" => Registry,
        _ => client,
    };
}
