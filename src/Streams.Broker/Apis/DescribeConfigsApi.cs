using System.Globalization;
using Streams.Broker.Configs;
using Streams.Broker.Protocol;
using Streams.Broker.Protocol.Messages;
using Streams.Broker.Security.Authorization;
using Streams.Broker.Storage;

namespace Streams.Broker.Apis;

/// <summary>
/// DescribeConfigs (32), v0-4: v1 replaces IsDefault with ConfigSource and adds synonyms, v2 is v1, v3 adds each
/// config's type and (when asked) its documentation, v4 flexible.
/// Topic configs report their source (topic override, dynamic or static broker setting, or default) and the synonym
/// chain; broker configs are read-only except the dynamic ones (<see cref="DynamicBrokerSettings"/>), and the empty
/// broker name describes only the cluster-wide dynamic defaults, as in Kafka. Every requested resource is echoed back, as librdkafka insists. Needs
/// DescribeConfigs on the topic, or on the cluster for broker resources.
/// </summary>
internal sealed class DescribeConfigsApi : ApiHandler<DescribeConfigsRequest, DescribeConfigsResponse>
{
    public override ValueTask<DescribeConfigsResponse> HandleAsync(RequestContext context, DescribeConfigsRequest request)
    {
        var response = new DescribeConfigsResponse();
        foreach (var resource in request.Resources)
        {
            var type = (ConfigResourceType)resource.ResourceType;
            var (error, message, entries) = ConfigAuthorization.Check(context, type, resource.ResourceName, AclOperation.DescribeConfigs) is { } denied
                ? (denied.Error, denied.Message, [])
                : Describe(context.Broker, type, resource.ResourceName);
            if (resource.ConfigurationKeys is { } keys)
            {
                entries = [.. entries.Where(e => keys.Contains(e.Name, StringComparer.Ordinal))];
            }

            response.Results.Add(new DescribeConfigsResponse.Result
            {
                ErrorCode = error,
                ErrorMessage = message,
                ResourceType = resource.ResourceType,
                ResourceName = resource.ResourceName,
                Configs = [.. entries.Select(entry => new DescribeConfigsResponse.Config
                {
                    Name = entry.Name,
                    Value = entry.Value,
                    ReadOnly = entry.ReadOnly,
                    IsSensitive = entry.Sensitive,
                    IsDefault = entry.Source == ConfigSource.DefaultConfig,
                    ConfigSource = (sbyte)entry.Source,
                    ConfigType = (sbyte)WireType(entry),
                    Documentation = request.IncludeDocumentation ? entry.Documentation : null,
                    Synonyms = request.IncludeSynonyms
                        ? [.. entry.Synonyms.Select(s => new DescribeConfigsResponse.Synonym { Name = s.Name, Value = s.Value, Source = (sbyte)s.Source })]
                        : [],
                })],
            });
        }

        return ValueTask.FromResult(response);
    }

    private static (ErrorCode, string?, List<ConfigEntry>) Describe(BrokerContext broker, ConfigResourceType type, string name)
    {
        switch (type)
        {
            case ConfigResourceType.Topic:
                var topic = broker.Logs.GetTopic(name);
                return topic is null
                    ? (ErrorCode.UnknownTopicOrPartition, $"Topic '{name}' does not exist.", [])
                    : (ErrorCode.None, null, TopicEntries(broker.Config, topic.Config));
            case ConfigResourceType.Broker when name.Length == 0 || name == broker.NodeId.ToString(CultureInfo.InvariantCulture):
                return (ErrorCode.None, null, [.. broker.Config.All(clusterDefault: name.Length == 0).Select(c => new ConfigEntry(c.Name, c.Value, !DynamicBrokerSettings.IsDynamic(c.Name), c.Source, c.Synonyms)
                {
                    Sensitive = SecuritySettingDefs.IsSensitive(c.Name),
                    Type = BrokerSettingDefs.FindWithListener(c.Name)?.Type ?? TopicConfigDefs.FindBySynonym(c.Name)?.Type ?? (c.Name is "broker.id" or "node.id" ? ConfigType.Int : null),
                    Documentation = BrokerSettingDefs.FindWithListener(c.Name)?.Documentation
                        ?? (TopicConfigDefs.FindBySynonym(c.Name) is { } synonymOf ? $"The default of the topic config {synonymOf.Name} for every topic that does not set it." : null),
                })]);
            case ConfigResourceType.Broker:
                return (ErrorCode.InvalidRequest, $"Unexpected broker id, expected {broker.NodeId.ToString(CultureInfo.InvariantCulture)} or empty string, but received {name}", []);
            default:
                return (ErrorCode.InvalidRequest, $"Config resource type {(sbyte)type} is not supported.", []);
        }
    }

    /// <summary>Every topic config of <paramref name="config"/> with its source and synonyms (also CreateTopics v5+'s answer).</summary>
    internal static List<ConfigEntry> TopicEntries(BrokerConfig broker, TopicConfig config)
    {
        var entries = new List<ConfigEntry>();
        foreach (var def in TopicConfigDefs.All)
        {
            var (value, source) = config.Resolve(def.Name);
            var synonyms = new List<(string, string?, ConfigSource)>();
            if (source == ConfigSource.TopicConfig)
            {
                synonyms.Add((def.Name, value, ConfigSource.TopicConfig));
            }

            synonyms.AddRange(broker.Synonyms(def, setOnly: false).Select(s => (s.Name, (string?)s.Value, s.Source)));

            entries.Add(new ConfigEntry(def.Name, value, false, source, synonyms)
            {
                Type = def.Type,
                Documentation = $"Topic config; a topic that does not set it takes the broker setting {def.BrokerSynonym}.",
            });
        }

        return entries;
    }

    /// <summary>Kafka's wire code of a config's type (DescribeConfigs v3+): secrets are PASSWORD, unknown ones UNKNOWN.</summary>
    private static WireConfigType WireType(ConfigEntry entry) => entry.Sensitive ? WireConfigType.Password : entry.Type switch
    {
        ConfigType.Boolean => WireConfigType.Boolean,
        ConfigType.String => WireConfigType.String,
        ConfigType.Int => WireConfigType.Int,
        ConfigType.Long => WireConfigType.Long,
        ConfigType.Double => WireConfigType.Double,
        ConfigType.List => WireConfigType.List,
        _ => WireConfigType.Unknown,
    };

    /// <summary>The ConfigType codes of DescribeConfigs v3+.</summary>
    private enum WireConfigType : sbyte
    {
        Unknown = 0,
        Boolean = 1,
        String = 2,
        Int = 3,
        Short = 4,
        Long = 5,
        Double = 6,
        List = 7,
        Class = 8,
        Password = 9,
    }

    internal sealed record ConfigEntry(string Name, string? Value, bool ReadOnly, ConfigSource Source, List<(string Name, string? Value, ConfigSource Source)> Synonyms)
    {
        /// <summary>A secret: named, never shown.</summary>
        public bool Sensitive { get; init; }

        /// <summary>The value's type, when the config is one we define.</summary>
        public ConfigType? Type { get; init; }

        /// <summary>What the config does (DescribeConfigs v3+ with IncludeDocumentation).</summary>
        public string? Documentation { get; init; }
    }
}
