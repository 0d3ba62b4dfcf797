namespace Streams.KafkaConsole;

/// <summary>Where the console's clients connect and how it links out.</summary>
public sealed class ConsoleOptions
{
    /// <summary>
    /// librdkafka properties of the console's admin client and tail readers; <c>bootstrap.servers</c> at least (security
    /// settings too). With <c>security.protocol</c> SASL_* and <c>sasl.mechanism</c> PLAIN or SCRAM-*, each person signs
    /// in with their own SASL user, whose credentials replace any <c>sasl.username</c>/<c>sasl.password</c> here.
    /// </summary>
    public Dictionary<string, string> Kafka { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Schema registry client properties; <c>schema.registry.url</c> at least.</summary>
    public Dictionary<string, string> SchemaRegistry { get; set; } = new(StringComparer.Ordinal);

    /// <summary>
    /// The trace view of the OpenTelemetry backend, <c>{traceId}</c> standing for the record's trace id, e.g. the
    /// Aspire dashboard's <c>http://localhost:18888/traces/detail/{traceId}</c>; null shows trace ids without links.
    /// </summary>
    public string? TraceUrlTemplate { get; set; }

    /// <summary>How often end offsets and lags are sampled for the rate and lag charts, and live parts refreshed.</summary>
    public TimeSpan SampleInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// A signed-in session unused this long (no page, no live stream) is closed with its Kafka clients; the browser signs
    /// in again. Only when the cluster needs a SASL user and password.
    /// </summary>
    public TimeSpan SessionIdleTimeout { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>How many samples the charts keep.</summary>
    public int History { get; set; } = 90;
}
