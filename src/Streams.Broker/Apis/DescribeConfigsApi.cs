using System.Globalization;
using Streams.Broker.Configs;
using Streams.Broker.Protocol;
using Streams.Broker.Storage;

namespace Streams.Broker.Apis;

/// <summary>
/// DescribeConfigs (32), v0-1: v1 replaces IsDefault with ConfigSource and adds synonyms.
/// Topic configs report their source (topic override, static broker setting, or default) and the synonym chain;
/// broker configs are read-only. Every requested resource is echoed back, as librdkafka insists.
/// </summary>
internal sealed class DescribeConfigsApi : ApiHandler
{
    public override ApiKey Key => ApiKey.DescribeConfigs;

    public override short MinVersion => 0;

    public override short MaxVersion => 1;

    public override ValueTask HandleAsync(RequestContext context, KafkaReader request, KafkaWriter response)
    {
        var version = context.ApiVersion;
        var resources = request.ReadArray((ref KafkaReader r) => (
            Type: (ConfigResourceType)r.ReadInt8(),
            Name: r.ReadString(),
            Keys: r.ReadNullableArray((ref KafkaReader k) => k.ReadString())));
        var includeSynonyms = version >= 1 && request.ReadBool();

        response.WriteInt32(0);
        response.WriteArrayLength(resources.Count);
        foreach (var (type, name, keys) in resources)
        {
            var (error, message, entries) = Describe(context.Broker, type, name);
            if (keys is not null)
            {
                entries = [.. entries.Where(e => keys.Contains(e.Name, StringComparer.Ordinal))];
            }

            response.WriteErrorCode(error);
            response.WriteNullableString(message);
            response.WriteInt8((sbyte)type);
            response.WriteString(name);
            response.WriteArrayLength(entries.Count);
            foreach (var entry in entries)
            {
                response.WriteString(entry.Name);
                response.WriteNullableString(entry.Value);
                response.WriteBool(entry.ReadOnly);
                if (version == 0)
                {
                    response.WriteBool(entry.Source == ConfigSource.DefaultConfig);
                }
                else
                {
                    response.WriteInt8((sbyte)entry.Source);
                }

                response.WriteBool(false);
                if (version >= 1)
                {
                    var synonyms = includeSynonyms ? entry.Synonyms : [];
                    response.WriteArrayLength(synonyms.Count);
                    foreach (var (synonym, value, source) in synonyms)
                    {
                        response.WriteString(synonym);
                        response.WriteNullableString(value);
                        response.WriteInt8((sbyte)source);
                    }
                }
            }
        }

        return ValueTask.CompletedTask;
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
                return (ErrorCode.None, null, [.. broker.Config.All().Select(c => new ConfigEntry(c.Name, c.Value, true, c.Source, [(c.Name, c.Value, c.Source)]))]);
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

    private sealed record ConfigEntry(string Name, string? Value, bool ReadOnly, ConfigSource Source, List<(string Name, string? Value, ConfigSource Source)> Synonyms);
}
