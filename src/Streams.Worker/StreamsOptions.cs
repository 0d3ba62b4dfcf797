using Confluent.Kafka;
using Confluent.SchemaRegistry;
using Streams.Topology.Logins;

namespace Streams.Worker;

/// <summary>
/// The worker's configuration: section <c>Streams</c> for the worker itself, and the Kafka and registry connection
/// from the top-level sections <c>Kafka</c> and <c>SchemaRegistry</c> (<see cref="Kafka"/>, <see cref="SchemaRegistry"/>).
/// With no Kafka and registry given it starts the embedded broker and registry itself: the zero-setup default.
/// </summary>
public sealed class StreamsOptions
{
    /// <summary>
    /// Every Kafka client of the worker (topologies, consumer groups, publisher, admin, dead letters) starts from these
    /// settings, bound from section <c>Kafka</c> by Confluent's property names: <c>Kafka__BootstrapServers</c>,
    /// <c>Kafka__SecurityProtocol=SaslSsl</c>, <c>Kafka__SaslMechanism=ScramSha512</c>, <c>Kafka__SaslUsername</c>,
    /// <c>Kafka__SaslPassword</c>, <c>Kafka__SslCaLocation</c>, ... No <c>BootstrapServers</c> runs the embedded broker.
    /// </summary>
    public ClientConfig Kafka { get; set; } = new();

    /// <summary>
    /// The schema registry client's settings from section <c>SchemaRegistry</c>: <c>SchemaRegistry__Url</c>,
    /// <c>SchemaRegistry__BasicAuthUserInfo=user:password</c>, <c>SchemaRegistry__SslCaLocation</c>, ... No <c>Url</c>
    /// runs the embedded registry (on the configured Kafka, or on the embedded broker).
    /// </summary>
    public SchemaRegistryConfig SchemaRegistry { get; set; } = new();

    /// <summary>Where the embedded broker, the topology state and the audit database live.</summary>
    public string DataDirectory { get; set; } = Path.Combine(Environment.CurrentDirectory, "data");

    /// <summary>Ports of the embedded broker and registry (0 = any free port).</summary>
    public int EmbeddedKafkaPort { get; set; } = 9092;

    public int EmbeddedRegistryPort { get; set; } = 8081;

    /// <summary>Where the worker serves <c>/health/live</c>, <c>/health/ready</c> and <c>/notifications</c> (Server-Sent Events).</summary>
    public string HttpUrl { get; set; } = "http://127.0.0.1:8080";

    /// <summary>The Streamiz application id: its consumer group, and the prefix of its internal topics.</summary>
    public string ApplicationId { get; set; } = "streams-topology";

    /// <summary>
    /// Streamiz stream threads (each a member of the application's group, taking a share of the partitions). One by
    /// default, because on 2 cores a second adds no throughput. The integration tests run two. (Two members closing
    /// at the same time were once seen to hang librdkafka's consumer close; the worker stops after 20 s regardless.)
    /// </summary>
    public int StreamThreads { get; set; } = 1;

    /// <summary>
    /// <c>Streams:ProcessingGuarantee</c>: <see cref="ProcessingGuaranteeMode.AtLeastOnce"/> (the default) or
    /// <see cref="ProcessingGuaranteeMode.ExactlyOnce"/>, which runs the topology with Streamiz EXACTLY_ONCE: its
    /// outputs and consumer offsets are committed in one Kafka transaction per commit interval (on the embedded broker
    /// as on real Kafka), and downstream readers see them only once committed (read_committed).
    /// </summary>
    public ProcessingGuaranteeMode ProcessingGuarantee { get; set; } = ProcessingGuaranteeMode.AtLeastOnce;

    /// <summary>
    /// <c>Streams:CommitIntervalMs</c>: how often the topology commits (Streamiz <c>commit.interval.ms</c>). Unset, it
    /// is 100 ms under ExactlyOnce (as Kafka Streams' default there: read_committed readers wait for each commit) and
    /// 1000 ms under AtLeastOnce. Each commit first flushes the topology's producer and waits for every record in
    /// flight, so the events caught by a commit wait for it; after a crash under at-least-once, up to this much
    /// processing is done again.
    /// </summary>
    public int? CommitIntervalMs { get; set; }

    /// <summary>
    /// How long Streamiz's stream thread collects records before it processes them (<c>poll.ms</c>; it keeps polling
    /// until the time is spent even when records came). Streamiz's own default, 100 ms, puts 50-100 ms on every event;
    /// 1 ms (measured against 5: the topology's share of an event's way 4.8 vs 8.6 ms at p50, idle worker CPU 0.12 vs
    /// 0.09 of a core) keeps it to a few milliseconds. Higher values give larger batches under heavy load.
    /// </summary>
    public int PollMs { get; set; } = 1;

    /// <summary>
    /// How long the topology's producer waits to fill a batch (<c>linger.ms</c>). librdkafka's default is 5 ms; 0 sends
    /// at once (the topology's share 2.9 vs 4.8 ms at p50 against 1 ms) and still batches under load, as librdkafka
    /// collects records while earlier requests are in flight.
    /// </summary>
    public double ProducerLingerMs { get; set; }

    /// <summary>
    /// How long the broker may hold a fetch of the topology's consumers when there is no data (<c>fetch.wait.max.ms</c>).
    /// The embedded broker answers a waiting fetch as soon as a record lands, so this only bounds idle round trips.
    /// </summary>
    public int FetchWaitMaxMs { get; set; } = 100;

    public LoginMonitoringOptions LoginMonitoring { get; set; } = new();

    /// <summary>
    /// <c>client.id</c> overrides by client name (<c>topology</c>, <c>publisher</c>, <c>audit-projection</c>,
    /// <c>notifier</c>, <c>admin</c>, <c>provisioning</c>, <c>topology-dead-letters</c>, <c>notifications-replay</c>):
    /// <c>Streams:ClientIds:notifier=shop-notifier</c>. Without one a client is <c>streams-worker/{name}</c>.
    /// </summary>
    public Dictionary<string, string> ClientIds { get; set; } = new(StringComparer.Ordinal);

    public SimulatorOptions Simulator { get; set; } = new();

    /// <summary>
    /// <c>Streams:Security:Enabled=true</c> runs the embedded broker secured (SASL_SSL, SCRAM users, ACLs from the topic
    /// catalog, one principal per service); <c>Streams:Security:Principals:{service}</c> gives each service its own
    /// SASL user on a configured Kafka.
    /// </summary>
    public Security.SecurityOptions Security { get; set; } = new();

    /// <summary>
    /// <c>/notifications</c>: how far a client may fall behind (<c>Streams:Notifications:ClientBuffer</c>, 50000
    /// notifications; <c>ClientLag</c>, 15 s), how often clients are written to (<c>WriteInterval</c>, 20 ms), most
    /// records replayed to a reconnecting client (<c>MaxReplay</c>, 10000), keep-alive interval and the <c>retry:</c>
    /// asked of clients.
    /// </summary>
    public global::Streams.Consumers.Notifications.NotificationOptions Notifications { get; set; } = new();
}

/// <summary>The traffic simulator: employees logging in, shoppers filling and checking out carts.</summary>
public sealed class SimulatorOptions
{
    public bool Enabled { get; set; } = true;

    /// <summary>Events per second across all kinds.</summary>
    public double EventsPerSecond { get; set; } = 20;

    /// <summary>Share of login attempts that fail (some employees fail in bursts, which raises alerts).</summary>
    public double LoginFailureRate { get; set; } = 0.15;
}
