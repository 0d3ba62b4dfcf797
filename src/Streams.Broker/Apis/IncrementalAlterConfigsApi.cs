using Streams.Broker.Configs;
using Streams.Broker.Protocol;

namespace Streams.Broker.Apis;

/// <summary>
/// IncrementalAlterConfigs (44), v0-1 (v1 flexible): per key SET (0), DELETE (1, back to the default),
/// APPEND (2) and SUBTRACT (3) for list-typed configs such as <c>cleanup.policy</c>.
/// </summary>
internal sealed class IncrementalAlterConfigsApi : ApiHandler
{
    public override ApiKey Key => ApiKey.IncrementalAlterConfigs;

    public override short MinVersion => 0;

    public override short MaxVersion => 1;

    public override short FirstFlexibleVersion => 1;

    public override ValueTask HandleAsync(RequestContext context, KafkaReader request, KafkaWriter response)
    {
        var resources = request.ReadArray((ref KafkaReader r) =>
        {
            var type = (ConfigResourceType)r.ReadInt8();
            var name = r.ReadString();
            var configs = r.ReadArray((ref KafkaReader c) =>
            {
                var op = new ConfigOp(c.ReadString(), c.ReadInt8(), c.ReadNullableString());
                c.SkipTaggedFields();
                return op;
            });
            r.SkipTaggedFields();
            return (Type: type, Name: name, Configs: configs);
        });
        var validateOnly = request.ReadBool();
        request.SkipTaggedFields();

        response.WriteInt32(0);
        response.WriteArrayLength(resources.Count);
        foreach (var (type, name, configs) in resources)
        {
            var result = AlterConfigsResponse.Alter(type, () => Apply(context.Broker, name, configs, validateOnly));
            AlterConfigsResponse.WriteResult(response, type, name, result);
        }

        response.WriteTaggedFields();
        return ValueTask.CompletedTask;
    }

    private static (ErrorCode, string?) Apply(BrokerContext broker, string name, List<ConfigOp> ops, bool validateOnly)
    {
        var topic = broker.Logs.GetTopic(name);
        if (topic is null)
        {
            return (ErrorCode.UnknownTopicOrPartition, $"Topic '{name}' does not exist.");
        }

        if (ops.GroupBy(o => o.Name, StringComparer.Ordinal).Any(g => g.Count() > 1))
        {
            return (ErrorCode.InvalidRequest, "Error due to duplicate config keys");
        }

        var overrides = topic.Config.Overrides.ToDictionary(c => c.Key, c => (string?)c.Value, StringComparer.Ordinal);
        foreach (var op in ops)
        {
            var def = TopicConfigDefs.Find(op.Name);
            if (def is null)
            {
                return (ErrorCode.InvalidConfig, $"Unknown topic config name: {op.Name}");
            }

            var current = topic.Config.Value(op.Name).Split(',', StringSplitOptions.RemoveEmptyEntries).ToList();
            var items = (op.Value ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            switch (op.Operation)
            {
                case 0:
                    overrides[op.Name] = op.Value;
                    break;
                case 1:
                    overrides.Remove(op.Name);
                    break;
                case 2 or 3 when def.Type != ConfigType.List:
                    return (ErrorCode.InvalidConfig, $"Config {op.Name} is not a list; APPEND and SUBTRACT apply to lists only");
                case 2:
                    overrides[op.Name] = string.Join(',', current.Concat(items.Where(i => !current.Contains(i))));
                    break;
                case 3:
                    overrides[op.Name] = string.Join(',', current.Where(c => !items.Contains(c)));
                    break;
                default:
                    return (ErrorCode.InvalidRequest, $"Unknown config operation {op.Operation}");
            }
        }

        var result = broker.Logs.SetTopicConfigs(name, overrides, validateOnly);
        return (result.Error, result.Message);
    }

    private sealed record ConfigOp(string Name, sbyte Operation, string? Value);
}
