using System.Globalization;
using Streams.Broker.Configs;
using Streams.Broker.Protocol;
using Streams.Broker.Protocol.Messages;
using Streams.Broker.Security.Authorization;
using Streams.Broker.Storage;

namespace Streams.Broker.Apis;

/// <summary>
/// DescribeConfigs (32), v0-1: v1 replaces IsDefault with ConfigSource and adds synonyms.
/// Topic configs report their source (topic override, static broker setting, or default) and the synonym chain;
/// broker configs are read-only. Every requested resource is echoed back, as librdkafka insists. Needs
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
                    : (ErrorCode.None, null, DescribeTopic(broker.Config, topic));
            case ConfigResourceType.Broker when name.Length == 0 || name == broker.NodeId.ToString(CultureInfo.InvariantCulture):
                return (ErrorCode.None, null, [.. broker.Config.All().Select(c => new ConfigEntry(c.Name, c.Value, true, c.Source, [(c.Name, c.Value, c.Source)]) { Sensitive = c.Value is null })]);
            case ConfigResourceType.Broker:
                return (ErrorCode.InvalidRequest, $"Broker {name} is not this broker ({broker.NodeId}).", []);
            default:
                return (ErrorCode.InvalidRequest, $"Config resource type {(sbyte)type} is not supported.", []);
        }
    }

    private static List<ConfigEntry> DescribeTopic(BrokerConfig broker, Topic topic)
    {
        var config = topic.Config;
        var entries = new List<ConfigEntry>();
        foreach (var def in TopicConfigDefs.All)
        {
            var (value, source) = config.Resolve(def.Name);
            var synonyms = new List<(string, string?, ConfigSource)>();
            if (source == ConfigSource.TopicConfig)
            {
                synonyms.Add((def.Name, value, ConfigSource.TopicConfig));
            }

            synonyms.AddRange(broker.Synonyms(def, setOnly: true).Select(s => (s.Name, (string?)s.Value, s.Source)));
            var (defaultValue, defaultName, _) = broker.TopicDefault(def);
            if (!broker.IsExplicit(defaultName))
            {
                synonyms.Add((defaultName, defaultValue, ConfigSource.DefaultConfig));
            }

            entries.Add(new ConfigEntry(def.Name, value, false, source, synonyms));
        }

        return entries;
    }

    private sealed record ConfigEntry(string Name, string? Value, bool ReadOnly, ConfigSource Source, List<(string Name, string? Value, ConfigSource Source)> Synonyms)
    {
        /// <summary>A secret: named, never shown.</summary>
        public bool Sensitive { get; init; }
    }
}
