namespace Streams.Broker;

/// <summary>How to run an embedded broker.</summary>
public sealed class BrokerOptions
{
    /// <summary>
    /// Interface of the single PLAINTEXT listener used when the <c>listeners</c> setting is not given (with
    /// <see cref="Port"/>, the shorthand of <c>--listen</c>). Defaults to loopback: the embedded broker is for local development and tests.</summary>
    public string Host { get; set; } = "127.0.0.1";

    /// <summary>TCP port; 0 picks a free one (read it back from <see cref="KafkaBroker.Port"/>).</summary>
    public int Port { get; set; } = 9092;

    /// <summary>Host name given to clients in Metadata; defaults to <see cref="Host"/> (or 127.0.0.1 when listening on all interfaces).</summary>
    public string? AdvertisedHost { get; set; }

    /// <summary>Port given to clients in Metadata; defaults to the bound port. Set it when clients reach the broker through a proxy or NAT.</summary>
    public int? AdvertisedPort { get; set; }

    /// <summary>Where topics, logs and broker state live. Created if missing.</summary>
    public required string DataDirectory { get; set; }

    /// <summary>
    /// The broker's node id (Kafka's <c>node.id</c>). A <c>node.id</c> or <c>broker.id</c> in <see cref="Settings"/>
    /// (as copied from a <c>server.properties</c>) takes its place; given both, they must agree, as in Kafka.
    /// </summary>
    public int NodeId { get; set; } = 1;

    /// <summary>
    /// Broker settings under Kafka's names, e.g. <c>auto.create.topics.enable</c>, <c>num.partitions</c>,
    /// <c>log.retention.hours</c>, <c>log.flush.interval.messages</c>, <c>group.initial.rebalance.delay.ms</c>.
    /// </summary>
    public IDictionary<string, string> Settings { get; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>
    /// SCRAM users to create or update before the broker serves, in the syntax of <c>kafka-storage format --add-scram</c>:
    /// <c>SCRAM-SHA-256=[name=admin,password=admin-secret]</c> (also <c>iterations=8192</c>, or
    /// <c>salt=...,saltedpassword=...</c> in base64 instead of a password). Only the salted keys are stored.
    /// </summary>
    public IList<string> ScramUsers { get; } = [];

    /// <summary>The node id in force: <c>node.id</c> or <c>broker.id</c> from <see cref="Settings"/>, else <see cref="NodeId"/>.</summary>
    /// <exception cref="ArgumentException">The setting is not a non-negative int, or the two disagree.</exception>
    internal int ResolveNodeId()
    {
        int? nodeId = null;
        foreach (var name in new[] { "node.id", "broker.id" })
        {
            if (!Settings.TryGetValue(name, out var value))
            {
                continue;
            }

            if (Configs.ConfigValidation.Validate(name, Configs.ConfigType.Int, value, min: 0) is { } error)
            {
                throw new ArgumentException(error);
            }

            var parsed = int.Parse(value.Trim(), System.Globalization.CultureInfo.InvariantCulture);
            if (nodeId is { } other && other != parsed)
            {
                throw new ArgumentException("You must set `node.id` to the same value as `broker.id`.");
            }

            nodeId = parsed;
        }

        return nodeId ?? NodeId;
    }
}
