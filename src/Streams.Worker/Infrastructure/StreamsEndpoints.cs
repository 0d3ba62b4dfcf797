using Confluent.Kafka;
using Confluent.SchemaRegistry;
using Streams.Worker.Security;

namespace Streams.Worker.Infrastructure;

/// <summary>
/// Where Kafka and the schema registry are, with every client setting (security included): configured ones, or the
/// embedded ones this process started. Each client of the worker builds its own configuration from these.
/// </summary>
public sealed record StreamsEndpoints(ClientConfig Kafka, SchemaRegistryConfig SchemaRegistry, bool Embedded)
{
    public string BootstrapServers => Kafka.BootstrapServers;

    public string SchemaRegistryUrl => SchemaRegistry.Url;

    /// <summary>
    /// Client ids configured per client name (<c>Streams:ClientIds:audit-projection=billing-audit</c>), used as they are
    /// instead of the generated <c>{prefix}/{name}</c>.
    /// </summary>
    public IReadOnlyDictionary<string, string> ClientIds { get; init; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>
    /// SASL user and password by service (<see cref="ServiceClients"/>: <c>publisher</c>, <c>topology</c>, <c>audit</c>,
    /// <c>notifier</c>, <c>registry</c>, <c>admin</c>), replacing <see cref="Kafka"/>'s for that service's clients: the
    /// secured embedded broker's generated users, or <c>Streams:Security:Principals</c>.
    /// </summary>
    public IReadOnlyDictionary<string, ServiceCredentials> Credentials { get; init; } = new Dictionary<string, ServiceCredentials>(StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// The one place every Kafka client of the worker gets its settings: the configured ones (security included), as
    /// librdkafka properties in a fresh copy the client may extend, with a <c>client.id</c> naming the client
    /// (<c>streams-worker/audit-projection</c>; <c>{Kafka:ClientId}/audit-projection</c> when a prefix is configured;
    /// <see cref="ClientIds"/> replaces it whole), so operators tell the worker's clients apart in group descriptions
    /// (<c>streams groups describe</c>), broker logs and quotas. Kafka puts no rule on a client id's characters (quota
    /// metrics sanitize it), so the slash is fine. The client authenticates as its service
    /// (<see cref="ServiceClients.ServiceOf"/>) when <see cref="Credentials"/> has that service.
    /// </summary>
    public Dictionary<string, string> ClientSettings(string client)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(client);
        var settings = Kafka.ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
        settings["client.id"] = ClientId(client);
        if (Credentials.TryGetValue(ServiceClients.ServiceOf(client), out var credentials))
        {
            if (!string.IsNullOrEmpty(credentials.Username))
            {
                settings["sasl.username"] = credentials.Username;
            }

            if (credentials.Password is not null)
            {
                settings["sasl.password"] = credentials.Password;
            }
        }

        return settings;
    }

    /// <summary>The <c>client.id</c> of the worker's client <paramref name="client"/> (see <see cref="ClientSettings"/>).</summary>
    public string ClientId(string client) =>
        ClientIds.TryGetValue(client, out var configured) && !string.IsNullOrWhiteSpace(configured)
            ? configured
            : $"{Kafka.ClientId ?? "streams-worker"}/{client}";
}
