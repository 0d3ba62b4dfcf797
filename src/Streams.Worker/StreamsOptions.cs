using Streams.Topology.Logins;

namespace Streams.Worker;

/// <summary>
/// The worker's configuration (section <c>Streams</c>; environment variables <c>Streams__Kafka__BootstrapServers</c> etc.).
/// With no Kafka and registry given it starts the embedded broker and registry itself: the zero-setup default.
/// </summary>
public sealed class StreamsOptions
{
    /// <summary>Kafka <c>bootstrap.servers</c>; null runs the embedded broker.</summary>
    public string? BootstrapServers { get; set; }

    /// <summary>Schema registry URL; null runs the embedded registry.</summary>
    public string? SchemaRegistryUrl { get; set; }

    /// <summary>Where the embedded broker, the topology state and the audit database live.</summary>
    public string DataDirectory { get; set; } = Path.Combine(Environment.CurrentDirectory, "data");

    /// <summary>Ports of the embedded broker and registry (0 = any free port).</summary>
    public int EmbeddedKafkaPort { get; set; } = 9092;

    public int EmbeddedRegistryPort { get; set; } = 8081;

    /// <summary>Where the worker serves <c>/health/live</c>, <c>/health/ready</c> and <c>/notifications</c> (Server-Sent Events).</summary>
    public string HttpUrl { get; set; } = "http://127.0.0.1:8080";

    /// <summary>The Streamiz application id: its consumer group, and the prefix of its internal topics.</summary>
    public string ApplicationId { get; set; } = "streams-topology";

    public LoginMonitoringOptions LoginMonitoring { get; set; } = new();

    public SimulatorOptions Simulator { get; set; } = new();
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
