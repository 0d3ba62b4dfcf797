using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Streams.Broker.Protocol;
using Streams.Broker.Storage;

namespace Streams.Broker.Configs;

/// <summary>
/// Dynamic broker configs (AlterConfigs / IncrementalAlterConfigs on the BROKER resource): two layers above the
/// static settings, Kafka's DYNAMIC_BROKER_CONFIG (resource name = this node's id) before DYNAMIC_DEFAULT_BROKER_CONFIG
/// (empty resource name, the cluster-wide default). Both are persisted in <c>meta/dynamic-broker-configs.json</c> and
/// applied again at start; readers see one immutable snapshot of the layers, swapped on change.
/// </summary>
internal sealed partial class BrokerConfig
{
    private const string DynamicFileName = "dynamic-broker-configs.json";
    private static readonly IReadOnlyDictionary<string, string> NoSettings = new Dictionary<string, string>(StringComparer.Ordinal);
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    private readonly Lock _dynamicLock = new();
    private DynamicLayers _dynamic = new(NoSettings, NoSettings);
    private string? _dynamicPath;

    /// <summary>Raised after dynamic configs changed, for the parts that apply a setting once (topic configs, the cleaner).</summary>
    public event Action? DynamicChanged;

    /// <summary>The dynamic configs of this broker (<paramref name="clusterDefault"/> false) or the cluster-wide defaults.</summary>
    public IReadOnlyDictionary<string, string> DynamicConfigs(bool clusterDefault)
    {
        var layers = Volatile.Read(ref _dynamic);
        return clusterDefault ? layers.Defaults : layers.Broker;
    }

    /// <summary>
    /// Reads the persisted dynamic configs of <paramref name="metaDirectory"/> (and persists changes there from now
    /// on). A value that no longer validates (a setting renamed or made static) is left out; the reasons are returned.
    /// </summary>
    public IReadOnlyList<string> LoadDynamic(string metaDirectory)
    {
        _dynamicPath = Path.Combine(metaDirectory, DynamicFileName);
        if (!File.Exists(_dynamicPath))
        {
            return [];
        }

        var problems = new List<string>();
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(File.ReadAllText(_dynamicPath));
        }
        catch (JsonException ex)
        {
            return [$"{_dynamicPath} is unreadable ({ex.Message}); no dynamic broker configs are applied"];
        }

        var defaults = Read(root?["defaults"] as JsonObject, problems, "cluster default");
        var broker = Read((root?["brokers"] as JsonObject)?[NodeId.ToString(CultureInfo.InvariantCulture)] as JsonObject, problems, "broker " + NodeId.ToString(CultureInfo.InvariantCulture));
        Volatile.Write(ref _dynamic, new DynamicLayers(broker, defaults));
        return problems;
    }

    private static Dictionary<string, string> Read(JsonObject? layer, List<string> problems, string level)
    {
        var settings = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, node) in layer ?? new JsonObject())
        {
            var value = node is JsonValue text && text.GetValueKind() == JsonValueKind.String ? text.GetValue<string>() : null;
            var error = value is null ? $"Invalid value null for configuration {name}" : DynamicBrokerSettings.IsDynamic(name) ? DynamicBrokerSettings.Validate(name, value) : $"{name} cannot be updated dynamically";
            if (error is null)
            {
                settings[name] = value!;
            }
            else
            {
                problems.Add($"{level}: {error}");
            }
        }

        return settings;
    }

    /// <summary>
    /// Replaces the dynamic configs of this broker or of the cluster default with what <paramref name="change"/> makes
    /// of the current ones (null values are Kafka's DELETE); validated as Kafka validates them, persisted and applied
    /// unless <paramref name="validateOnly"/>. Returns Kafka's error for a refused change.
    /// </summary>
    public (ErrorCode Error, string? Message) AlterDynamic(bool clusterDefault, Func<IReadOnlyDictionary<string, string>, (Dictionary<string, string>? Settings, ErrorCode Error, string? Message)> change, bool validateOnly)
    {
        lock (_dynamicLock)
        {
            var layers = Volatile.Read(ref _dynamic);
            var (settings, error, message) = change(clusterDefault ? layers.Defaults : layers.Broker);
            if (settings is null)
            {
                return (error, message);
            }

            // Kafka: ConfigException from DynamicBrokerConfig.validate, answered as INVALID_REQUEST with its message.
            var refused = settings.Keys.Where(n => !DynamicBrokerSettings.IsDynamic(n)).ToList();
            if (refused.Count > 0)
            {
                return (ErrorCode.InvalidRequest, DynamicBrokerSettings.Refusal(refused));
            }

            foreach (var (name, value) in settings)
            {
                if (DynamicBrokerSettings.Validate(name, value) is { } invalid)
                {
                    return (ErrorCode.InvalidRequest, invalid);
                }
            }

            if (validateOnly)
            {
                return (ErrorCode.None, null);
            }

            var normalized = settings.ToDictionary(s => s.Key, s => DynamicBrokerSettings.Normalize(s.Key, s.Value), StringComparer.Ordinal);
            var updated = clusterDefault ? layers with { Defaults = normalized } : layers with { Broker = normalized };
            Persist(updated);
            Volatile.Write(ref _dynamic, updated);
        }

        DynamicChanged?.Invoke();
        return (ErrorCode.None, null);
    }

    private void Persist(DynamicLayers layers)
    {
        if (_dynamicPath is null)
        {
            return;
        }

        // Other nodes' sections are kept: a data directory moved to another node.id must not lose them.
        var brokers = (File.Exists(_dynamicPath) ? JsonNode.Parse(File.ReadAllText(_dynamicPath))?["brokers"] as JsonObject : null)?.DeepClone() as JsonObject ?? new JsonObject();
        brokers[NodeId.ToString(CultureInfo.InvariantCulture)] = ToJson(layers.Broker);
        var root = new JsonObject { ["defaults"] = ToJson(layers.Defaults), ["brokers"] = brokers };
        FileUtil.WriteAtomically(_dynamicPath, root.ToJsonString(Indented));
    }

    private static JsonObject ToJson(IReadOnlyDictionary<string, string> settings)
    {
        var json = new JsonObject();
        foreach (var (name, value) in settings.OrderBy(s => s.Key, StringComparer.Ordinal))
        {
            json[name] = value;
        }

        return json;
    }

    /// <summary>
    /// The value given for <paramref name="name"/> and where, in Kafka's precedence: dynamic for this broker, dynamic
    /// cluster default, static setting. Null when none gives it (the default applies).
    /// </summary>
    private (string Value, ConfigSource Source)? Given(string name)
    {
        var layers = Volatile.Read(ref _dynamic);
        return layers.Broker.TryGetValue(name, out var value) ? (value, ConfigSource.DynamicBrokerConfig)
            : layers.Defaults.TryGetValue(name, out value) ? (value, ConfigSource.DynamicDefaultBrokerConfig)
            : _explicit.TryGetValue(name, out value) ? (value, ConfigSource.StaticBrokerConfig)
            : null;
    }

    /// <summary>The layers that give values, highest precedence first (DescribeConfigs lists synonyms layer by layer).</summary>
    private IEnumerable<(IReadOnlyDictionary<string, string> Settings, ConfigSource Source)> GivenLayers()
    {
        var layers = Volatile.Read(ref _dynamic);
        yield return (layers.Broker, ConfigSource.DynamicBrokerConfig);
        yield return (layers.Defaults, ConfigSource.DynamicDefaultBrokerConfig);
        yield return (_explicit, ConfigSource.StaticBrokerConfig);
    }

    private sealed record DynamicLayers(IReadOnlyDictionary<string, string> Broker, IReadOnlyDictionary<string, string> Defaults);
}
