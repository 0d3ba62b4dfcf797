namespace Streams.Contracts.Topics;

/// <summary>
/// The Kafka principal of each service of the application (<c>User:</c> and the SASL user name), one per service so
/// a cluster's ACLs say exactly which service may write and read which topic. The topic catalog grants them their
/// access; <c>streams acls apply</c> turns that into ACLs, and each service authenticates with its own user.
/// </summary>
public static class ServicePrincipals
{
    /// <summary>Kafka's principal type for authenticated users.</summary>
    public const string UserPrefix = "User:";

    /// <summary>Whatever publishes the application's events through <c>EventPublisher</c> (the traffic simulator included).</summary>
    public const string Publisher = "User:streams-publisher";

    /// <summary>The Streamiz topology application (cart state, orders, login monitoring).</summary>
    public const string Topology = "User:streams-topology";

    /// <summary>The audit projection's consumer group.</summary>
    public const string Audit = "User:streams-audit";

    /// <summary>The notifier's consumer group.</summary>
    public const string Notifier = "User:streams-notifier";

    /// <summary>The schema registry's own Kafka client (its <c>_schemas</c> topic).</summary>
    public const string Registry = "User:streams-registry";

    /// <summary>Every service principal, in a stable order.</summary>
    public static IReadOnlyList<string> All { get; } = [Publisher, Topology, Audit, Notifier, Registry];

    /// <summary>The SASL user name of <paramref name="principal"/> (<c>streams-audit</c> for <c>User:streams-audit</c>).</summary>
    public static string UserName(string principal)
    {
        ArgumentNullException.ThrowIfNull(principal);
        return principal.StartsWith(UserPrefix, StringComparison.Ordinal)
            ? principal[UserPrefix.Length..]
            : throw new ArgumentException($"'{principal}' is not a {UserPrefix} principal.", nameof(principal));
    }
}
