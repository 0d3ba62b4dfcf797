using System.CommandLine;

namespace Streams.Cli.Infrastructure;

/// <summary>Output of every command: aligned columns for people, JSON for scripts.</summary>
internal enum OutputFormat
{
    Table,
    Json,
}

/// <summary>
/// The options every command accepts. They are recursive, so they may be written before or after the command name
/// (<c>streams --output json groups list</c> and <c>streams groups list --output json</c> mean the same).
/// </summary>
internal sealed class GlobalOptions
{
    public const string BootstrapVariable = "STREAMS_BOOTSTRAP";
    public const string RegistryVariable = "STREAMS_REGISTRY";
    public const string ConfigVariable = "STREAMS_CONFIG";
    public const string OutputVariable = "STREAMS_OUTPUT";

    // No DefaultValueFactory on the connection options: precedence is flag > environment > --config file > default,
    // and only an absent value can tell the config file's bootstrap.servers apart from a default.
    // --bootstrap-server: the Kafka tools' name for it.
    public Option<string?> Bootstrap { get; } = new("--bootstrap", "-b", "--bootstrap-server")
    {
        Description = $"Kafka bootstrap servers (host:port,...). Fallback: ${BootstrapVariable}, bootstrap.servers in --config, 127.0.0.1:9092",
        Recursive = true,
    };

    public Option<string?> Registry { get; } = new("--registry")
    {
        Description = $"Schema registry URL. Fallback: ${RegistryVariable}, schema.registry.url in --config, http://127.0.0.1:8081",
        Recursive = true,
    };

    public Option<FileInfo?> Config { get; } = new("--config")
    {
        Description = $"librdkafka properties file (key=value lines, e.g. security.protocol, sasl.*, ssl.*; schema.registry.* go to the registry client). Fallback: ${ConfigVariable}",
        Recursive = true,
    };

    // -X as kcat spells it; --kafka-set for readers of scripts. Applied over --config, so one flag changes one setting.
    public Option<string[]> KafkaSettings { get; } = new("--kafka-set", "-X")
    {
        Description = "A librdkafka property name=value, over the --config file (e.g. -X security.protocol=SASL_SSL -X sasl.mechanism=SCRAM-SHA-512); schema.registry.* and basic.auth.* go to the registry client; repeatable",
        Recursive = true,
    };

    public Option<OutputFormat?> Output { get; } = new("--output", "-o")
    {
        Description = $"table or json. Fallback: ${OutputVariable}, table",
        Recursive = true,
    };

    public void AddTo(RootCommand root)
    {
        root.Add(Bootstrap);
        root.Add(Registry);
        root.Add(Config);
        root.Add(KafkaSettings);
        root.Add(Output);
    }
}
