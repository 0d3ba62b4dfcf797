using System.CommandLine;
using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using Confluent.Kafka;
using Confluent.SchemaRegistry;

namespace Streams.Cli.Infrastructure;

/// <summary>One invocation's resolved settings (connection, client properties, output) and its clients' factories.</summary>
internal sealed class CliSession
{
    private const string DefaultBootstrap = "127.0.0.1:9092";
    private const string DefaultRegistry = "http://127.0.0.1:8081";

    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        WriteIndented = true,
        // Topic names and record values are shown as they are (no \u002B for '+').
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    private readonly Dictionary<string, string> _kafkaProperties;
    private readonly Dictionary<string, string> _registryProperties;

    private CliSession(string bootstrap, string registryUrl, Dictionary<string, string> kafkaProperties, Dictionary<string, string> registryProperties, OutputFormat format, CliEnvironment environment)
    {
        Bootstrap = bootstrap;
        RegistryUrl = registryUrl;
        _kafkaProperties = kafkaProperties;
        _registryProperties = registryProperties;
        Format = format;
        Output = environment.Output;
        Error = environment.Error;
        Input = environment.Input;
    }

    public string Bootstrap { get; }

    public string RegistryUrl { get; }

    public OutputFormat Format { get; }

    public TextWriter Output { get; }

    public TextWriter Error { get; }

    public TextReader Input { get; }

    public static async Task<CliSession> ResolveAsync(ParseResult parse, CliEnvironment environment, CancellationToken cancellationToken)
    {
        var options = environment.Options;
        var configPath = parse.GetValue(options.Config)?.FullName ?? Environment.GetEnvironmentVariable(GlobalOptions.ConfigVariable);
        var kafka = configPath is null ? [] : await ReadPropertiesAsync(configPath, cancellationToken).ConfigureAwait(false);
        foreach (var setting in parse.GetValue(options.KafkaSettings) ?? [])
        {
            var separator = setting.IndexOf('=', StringComparison.Ordinal);
            if (separator <= 0)
            {
                throw CliException.Usage($"-X/--kafka-set takes name=value, got '{setting}'");
            }

            kafka[setting[..separator].Trim()] = setting[(separator + 1)..].Trim();
        }

        // schema.registry.* belong to the registry client; librdkafka would reject them as unknown properties.
        var registry = kafka.Where(p => p.Key.StartsWith("schema.registry.", StringComparison.Ordinal) || p.Key.StartsWith("basic.auth.", StringComparison.Ordinal))
            .ToDictionary(p => p.Key, p => p.Value);
        foreach (var key in registry.Keys)
        {
            kafka.Remove(key);
        }

        // basic.auth.* as Confluent's serdes name them; the .NET registry client reads them under schema.registry.
        foreach (var (key, value) in registry.Where(p => p.Key.StartsWith("basic.auth.", StringComparison.Ordinal)).ToList())
        {
            registry.Remove(key);
            registry.TryAdd("schema.registry." + key, value);
        }

        var bootstrap = parse.GetValue(options.Bootstrap) ?? Environment.GetEnvironmentVariable(GlobalOptions.BootstrapVariable)
            ?? kafka.GetValueOrDefault("bootstrap.servers") ?? DefaultBootstrap;
        var registryUrl = parse.GetValue(options.Registry) ?? Environment.GetEnvironmentVariable(GlobalOptions.RegistryVariable)
            ?? registry.GetValueOrDefault("schema.registry.url") ?? DefaultRegistry;
        var format = parse.GetValue(options.Output) ?? ParseFormat(Environment.GetEnvironmentVariable(GlobalOptions.OutputVariable));
        kafka["bootstrap.servers"] = bootstrap;
        registry["schema.registry.url"] = registryUrl;
        return new CliSession(bootstrap, registryUrl, kafka, registry, format, environment);
    }

    public IAdminClient CreateAdmin() => Build(() => new AdminClientBuilder(new AdminClientConfig(Properties())).Build());

    /// <summary>A consumer that never commits: inspecting a topic must not move anyone's offsets.</summary>
    public IConsumer<byte[]?, byte[]?> CreateReader() => Build(() => new ConsumerBuilder<byte[]?, byte[]?>(new ConsumerConfig(Properties())
    {
        GroupId = "streams-cli-" + Guid.NewGuid().ToString("N"),
        EnableAutoCommit = false,
        EnableAutoOffsetStore = false,
        EnablePartitionEof = true,
    }).Build());

    public IProducer<byte[]?, byte[]?> CreateProducer(Action<ProducerConfig>? configure = null)
    {
        var config = new ProducerConfig(Properties());
        configure?.Invoke(config);
        return Build(() => new ProducerBuilder<byte[]?, byte[]?>(config).Build());
    }

    /// <summary>A client librdkafka refuses to build (an unknown property or value from --config or -X) is a usage error.</summary>
    private static T Build<T>(Func<T> build)
    {
        try
        {
            return build();
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException)
        {
            // Confluent.Kafka reports an unknown property or a bad value as InvalidOperationException/ArgumentException.
            throw CliException.Usage($"Kafka client settings (--config, -X): {e.Message}");
        }
        catch (KafkaException e) when (e.Error.Code == ErrorCode.Local_InvalidArg)
        {
            throw CliException.Usage($"Kafka client settings (--config, -X): {e.Message}");
        }
    }

    public Dictionary<string, string> ClientProperties(string client) => new(_kafkaProperties) { ["client.id"] = _kafkaProperties.TryGetValue("client.id", out var id) ? $"{id}/{client}" : $"streams-cli/{client}" };

    /// <summary>The registry client's settings (schema.registry.url and the basic.auth/schema.registry.* ones), for clients made elsewhere.</summary>
    public Dictionary<string, string> RegistrySettings() => new(_registryProperties);

    public ISchemaRegistryClient CreateRegistryClient() => new CachedSchemaRegistryClient(new Dictionary<string, string>(_registryProperties));

    /// <summary>Writes <paramref name="json"/> in JSON mode, or lets <paramref name="table"/> write the human form.</summary>
    public async Task WriteAsync(object json, Func<TextWriter, Task> table)
    {
        if (Format == OutputFormat.Json)
        {
            await Output.WriteLineAsync(JsonSerializer.Serialize(json, Json)).ConfigureAwait(false);
        }
        else
        {
            await table(Output).ConfigureAwait(false);
        }
    }

    public Task WriteAsync(object json, TextTable table) => WriteAsync(json, table.WriteToAsync);

    /// <summary>Progress and notes for people go to stderr, so stdout stays parseable in JSON mode.</summary>
    public Task NoteAsync(string message) => Error.WriteLineAsync(message);

    private Dictionary<string, string> Properties() => new(_kafkaProperties);

    private static OutputFormat ParseFormat(string? value) =>
        string.IsNullOrEmpty(value) ? OutputFormat.Table
        : Enum.TryParse<OutputFormat>(value, ignoreCase: true, out var format) ? format
        : throw CliException.Usage($"${GlobalOptions.OutputVariable} must be table or json, got '{value}'");

    private static async Task<Dictionary<string, string>> ReadPropertiesAsync(string path, CancellationToken cancellationToken)
    {
        if (!File.Exists(path))
        {
            throw CliException.Usage($"--config file '{path}' does not exist");
        }

        var properties = new Dictionary<string, string>(StringComparer.Ordinal);
        var number = 0;
        foreach (var raw in await File.ReadAllLinesAsync(path, cancellationToken).ConfigureAwait(false))
        {
            number++;
            var line = raw.Trim();
            if (line.Length == 0 || line[0] is '#' or '!')
            {
                continue;
            }

            var separator = line.IndexOfAny(['=', ':']);
            if (separator <= 0)
            {
                throw CliException.Usage(string.Create(CultureInfo.InvariantCulture, $"{path}:{number}: expected key=value, got '{line}'"));
            }

            properties[line[..separator].Trim()] = line[(separator + 1)..].Trim();
        }

        return properties;
    }
}
