namespace Streams.Worker.Security;

/// <summary>
/// Section <c>Streams:Security</c>: a secured embedded broker (<see cref="Enabled"/>), and which SASL user each of the
/// worker's services authenticates as (<see cref="Principals"/>).
/// </summary>
public sealed class SecurityOptions
{
    /// <summary>
    /// <c>Streams:Security:Enabled=true</c> runs the embedded broker secured: one SASL_SSL listener (SCRAM-SHA-256) with a
    /// certificate from a local CA, a SCRAM user with a generated password for every service principal and
    /// <c>admin</c>, authorization on with <c>User:admin</c> as the only super user, and the topic catalog's ACLs
    /// applied at start. Everything is generated once into <c>{DataDirectory}/security</c> and reused. Only for the
    /// embedded broker: a configured Kafka brings its own security (<c>Kafka:*</c> and <see cref="Principals"/>).
    /// </summary>
    public bool Enabled { get; set; }

    /// <summary>
    /// SASL credentials per service, overriding <c>Kafka:SaslUsername</c>/<c>Kafka:SaslPassword</c> for that service's
    /// clients: <c>Streams:Security:Principals:audit:Username=streams-audit</c>. Services (<see cref="ServiceClients"/>):
    /// <c>publisher</c>, <c>topology</c>, <c>audit</c>, <c>notifier</c>, <c>registry</c> (the embedded registry's Kafka
    /// client) and <c>admin</c> (provisioning, health, lag). A service without an entry uses the <c>Kafka</c> section's.
    /// With <see cref="Enabled"/> the generated credentials are used instead.
    /// </summary>
    public Dictionary<string, ServiceCredentials> Principals { get; set; } = new(StringComparer.OrdinalIgnoreCase);
}

/// <summary>The SASL user name and password one service authenticates with.</summary>
public sealed class ServiceCredentials
{
    public string? Username { get; set; }

    public string? Password { get; set; }
}
