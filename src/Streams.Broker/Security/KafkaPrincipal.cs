namespace Streams.Broker.Security;

/// <summary>
/// Who sent a request, as Kafka names it (<c>User:alice</c>): the authenticated SASL user or TLS client-certificate
/// subject, or <see cref="Anonymous"/> on a listener that authenticates nobody. ACLs and <c>super.users</c> name
/// principals in this form.
/// </summary>
/// <param name="Type">The principal type; Kafka's own authenticators only produce <c>User</c>.</param>
/// <param name="Name">The user name (or certificate subject).</param>
public sealed record KafkaPrincipal(string Type, string Name)
{
    /// <summary>Kafka's principal for connections on PLAINTEXT and SSL-without-client-auth listeners.</summary>
    public static readonly KafkaPrincipal Anonymous = User("ANONYMOUS");

    /// <summary>A <c>User:</c> principal.</summary>
    public static KafkaPrincipal User(string name) => new("User", name);

    /// <summary>Parses <c>Type:Name</c> (the name may itself contain colons, as certificate subjects can).</summary>
    /// <exception cref="FormatException">No type prefix.</exception>
    public static KafkaPrincipal Parse(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var colon = value.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0)
        {
            throw new FormatException($"'{value}' is not a principal: expected Type:Name, e.g. User:alice");
        }

        return new KafkaPrincipal(value[..colon], value[(colon + 1)..]);
    }

    /// <inheritdoc/>
    public override string ToString() => $"{Type}:{Name}";
}
