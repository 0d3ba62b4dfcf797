using Streams.Registry.Security;

namespace Streams.Registry;

/// <summary>How to run a schema registry: the Kafka that holds <c>_schemas</c> and the HTTP address to serve.</summary>
public sealed class SchemaRegistryOptions
{
    /// <summary><c>bootstrap.servers</c> of the Kafka holding the <see cref="Topic"/> (the embedded broker or a real cluster).</summary>
    public string KafkaBootstrapServers { get; set; } = "";

    /// <summary>Further librdkafka settings for the registry's Kafka clients, such as SASL/TLS for a real cluster.</summary>
    public IDictionary<string, string> KafkaSettings { get; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>
    /// HTTP address to listen on; port 0 picks a free port (read it back from <see cref="SchemaRegistryHost.Url"/>).
    /// An <c>https://</c> address serves TLS with the certificate of <see cref="Tls"/>.
    /// </summary>
    public string Listen { get; set; } = "http://127.0.0.1:8081";

    /// <summary>The compacted single-partition topic holding every schema, config and mode (Confluent's <c>kafkastore.topic</c>).</summary>
    public string Topic { get; set; } = "_schemas";

    /// <summary>Replication factor when the registry creates the topic; -1 uses the broker's default.</summary>
    public short TopicReplicationFactor { get; set; } = -1;

    /// <summary>How long Kafka calls (create topic, read to the end, produce) may take before failing.</summary>
    public TimeSpan KafkaTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// A follower serves reads and keeps following <see cref="Topic"/>, and refuses every write (42205). Run one
    /// writing instance per topic and any number of followers.
    /// </summary>
    public bool ReadOnlyFollower { get; set; }

    /// <summary>
    /// Users of HTTP basic authentication, each with a role (<see cref="RegistryRole"/>). Authentication is required
    /// as soon as there is one user here, in <see cref="UsersFile"/> or in <see cref="BasicAuthUser"/>; off otherwise.
    /// </summary>
    public IList<RegistryUser> Users { get; set; } = [];

    /// <summary>
    /// A file of further users in the form Confluent's basic authentication reads (<c>name: password,role</c> a
    /// line, as Jetty's property file login module), read when the registry starts.
    /// </summary>
    public string? UsersFile { get; set; }

    /// <summary>The realm named in the <c>WWW-Authenticate</c> challenge (Confluent's <c>authentication.realm</c>).</summary>
    public string AuthenticationRealm { get; set; } = "SchemaRegistry";

    /// <summary>Shorthand for one <c>admin</c> user with <see cref="BasicAuthPassword"/>; adds to <see cref="Users"/>.</summary>
    public string? BasicAuthUser { get; set; }

    /// <summary>The password (or <c>pbkdf2:</c> hash) of <see cref="BasicAuthUser"/>.</summary>
    public string? BasicAuthPassword { get; set; }

    /// <summary>The certificate and client-certificate rules of an <c>https://</c> <see cref="Listen"/>.</summary>
    public SchemaRegistryTlsOptions Tls { get; set; } = new();

    /// <summary>Whether HTTP basic authentication is configured (some user in any of the three places).</summary>
    public bool RequiresAuthentication => Users.Count > 0 || !string.IsNullOrEmpty(UsersFile) || !string.IsNullOrEmpty(BasicAuthUser);

    /// <summary>
    /// Largest request body accepted (default 16 MiB); larger ones are answered 413. Real schemas are kilobytes, and
    /// the body is parsed into memory, so this bounds what one request can make the registry allocate.
    /// </summary>
    public long MaxRequestBodyBytes { get; set; } = DefaultMaxRequestBodyBytes;

    /// <summary>16 MiB.</summary>
    public const long DefaultMaxRequestBodyBytes = 16L * 1024 * 1024;
}
