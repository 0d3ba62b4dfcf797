using Streams.Broker.Protocol;

namespace Streams.Broker.Apis;

/// <summary>
/// AlterConfigs (33), v0-1: replaces a topic's whole set of overrides (keys not listed revert to their defaults).
/// Broker settings are static in the embedded broker and cannot be altered at run time.
/// </summary>
internal sealed class AlterConfigsApi : ApiHandler
{
    public override ApiKey Key => ApiKey.AlterConfigs;

    public override short MinVersion => 0;

    public override short MaxVersion => 1;

    public override ValueTask HandleAsync(RequestContext context, KafkaReader request, KafkaWriter response)
    {
        var resources = request.ReadArray((ref KafkaReader r) => (
            Type: (ConfigResourceType)r.ReadInt8(),
            Name: r.ReadString(),
            Configs: r.ReadArray((ref KafkaReader c) => new KeyValuePair<string, string?>(c.ReadString(), c.ReadNullableString()))));
        var validateOnly = request.ReadBool();

        response.WriteInt32(0);
        response.WriteArrayLength(resources.Count);
        foreach (var (type, name, configs) in resources)
        {
            var result = AlterConfigsResponse.Alter(type, () => Apply(context.Broker, name, configs, validateOnly));
            AlterConfigsResponse.WriteResult(response, type, name, result);
        }

        return ValueTask.CompletedTask;
    }

    private static (ErrorCode, string?) Apply(BrokerContext broker, string topic, List<KeyValuePair<string, string?>> configs, bool validateOnly)
    {
        if (configs.Any(c => c.Value is null))
        {
            return (ErrorCode.InvalidConfig, "Null value not supported for topic configs");
        }

        var overrides = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var (name, value) in configs)
        {
            overrides[name] = value;
        }

        var result = broker.Logs.SetTopicConfigs(topic, overrides, validateOnly);
        return (result.Error, result.Message);
    }
}
