using Streams.Broker.Configs;
using Streams.Broker.Protocol;
using Streams.Broker.Protocol.Messages;
using Streams.Broker.Security.Authorization;

namespace Streams.Broker.Apis;

/// <summary>
/// IncrementalAlterConfigs (44), v0-1 (v1 flexible): per key SET (0), DELETE (1, back to the default),
/// APPEND (2) and SUBTRACT (3) for list-typed configs such as <c>cleanup.policy</c>. On a broker resource (this
/// node's id, or the empty name for the cluster-wide default) the operations edit its dynamic configs.
/// Needs AlterConfigs on the topic, or on the cluster for broker resources.
/// </summary>
internal sealed class IncrementalAlterConfigsApi : ApiHandler<IncrementalAlterConfigsRequest, IncrementalAlterConfigsResponse>
{
    private const sbyte Delete = 1;

    public override ValueTask<IncrementalAlterConfigsResponse> HandleAsync(RequestContext context, IncrementalAlterConfigsRequest request) =>
        ValueTask.FromResult(new IncrementalAlterConfigsResponse
        {
            Responses = [.. request.Resources.Select(resource =>
            {
                var type = (ConfigResourceType)resource.ResourceType;
                var (error, message) = ConfigAuthorization.Check(context, type, resource.ResourceName, AclOperation.AlterConfigs) is { } denied
                    ? (denied.Error, denied.Message)
                    : ConfigAlteration.Alter(
                        type,
                        () => Apply(context.Broker, resource.ResourceName, resource.Configs, request.ValidateOnly),
                        () => ApplyBroker(context.Broker, resource.ResourceName, resource.Configs, request.ValidateOnly));
                return new IncrementalAlterConfigsResponse.Resource { ErrorCode = error, ErrorMessage = message, ResourceType = resource.ResourceType, ResourceName = resource.ResourceName };
            })],
        });

    private static (ErrorCode, string?) Apply(BrokerContext broker, string name, List<IncrementalAlterConfigsRequest.Config> ops, bool validateOnly)
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
            switch (op.ConfigOperation)
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
                    return (ErrorCode.InvalidRequest, $"Unknown config operation {op.ConfigOperation}");
            }
        }

        var result = broker.Logs.SetTopicConfigs(name, overrides, validateOnly);
        return (result.Error, result.Message);
    }

    private static (ErrorCode, string?) ApplyBroker(BrokerContext broker, string name, List<IncrementalAlterConfigsRequest.Config> ops, bool validateOnly)
    {
        if (ConfigAlteration.Duplicates(ops.Select(o => o.Name)) is { } duplicates)
        {
            return duplicates;
        }

        if (ConfigAlteration.NullValues(ops.Where(o => o.ConfigOperation != Delete && o.Value is null).Select(o => o.Name)) is { } nulls)
        {
            return nulls;
        }

        var (clusterDefault, error, message) = ConfigAlteration.BrokerTarget(broker, name);
        return error != ErrorCode.None ? (error, message) : broker.Config.AlterDynamic(clusterDefault, current => Edit(current, ops), validateOnly);
    }

    /// <summary>Kafka's <c>prepareIncrementalConfigs</c>: the operations applied in order to the current dynamic configs.</summary>
    private static (Dictionary<string, string>?, ErrorCode, string?) Edit(IReadOnlyDictionary<string, string> current, List<IncrementalAlterConfigsRequest.Config> ops)
    {
        var settings = new Dictionary<string, string>(current, StringComparer.Ordinal);
        foreach (var op in ops)
        {
            switch (op.ConfigOperation)
            {
                case 0:
                    settings[op.Name] = op.Value!;
                    break;
                case Delete:
                    settings.Remove(op.Name);
                    break;
                case 2 or 3:
                    var verb = op.ConfigOperation == 2 ? "append" : "subtract";
                    var type = DynamicBrokerSettings.TypeOf(op.Name);
                    if (type is null)
                    {
                        return (null, ErrorCode.InvalidConfig, $"Unknown config name: {op.Name}");
                    }

                    if (type != ConfigType.List)
                    {
                        return (null, ErrorCode.InvalidConfig, $"Config value {verb} is not allowed for config key: {op.Name}");
                    }

                    var old = (settings.GetValueOrDefault(op.Name) ?? DynamicBrokerSettings.DefaultOf(op.Name) ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries).ToList();
                    var items = op.Value!.Split(',');
                    settings[op.Name] = string.Join(',', op.ConfigOperation == 2 ? old.Concat(items.Where(i => !old.Contains(i))) : old.Where(o => !items.Contains(o)));
                    break;
                default:
                    return (null, ErrorCode.InvalidRequest, $"Unknown operations type {op.ConfigOperation}");
            }
        }

        return (settings, ErrorCode.None, null);
    }
}
