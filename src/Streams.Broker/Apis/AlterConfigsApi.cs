using Streams.Broker.Protocol;
using Streams.Broker.Protocol.Messages;
using Streams.Broker.Security.Authorization;

namespace Streams.Broker.Apis;

/// <summary>
/// AlterConfigs (33), v0-1: replaces a topic's whole set of overrides (keys not listed revert to their defaults), or
/// the whole set of dynamic configs of this broker (its node id) or of the cluster-wide default (empty name).
/// Needs AlterConfigs on the topic, or on the cluster for broker resources.
/// </summary>
internal sealed class AlterConfigsApi : ApiHandler<AlterConfigsRequest, AlterConfigsResponse>
{
    public override ValueTask<AlterConfigsResponse> HandleAsync(RequestContext context, AlterConfigsRequest request) =>
        ValueTask.FromResult(new AlterConfigsResponse
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
                return new AlterConfigsResponse.Resource { ErrorCode = error, ErrorMessage = message, ResourceType = resource.ResourceType, ResourceName = resource.ResourceName };
            })],
        });

    private static (ErrorCode, string?) Apply(BrokerContext broker, string topic, List<AlterConfigsRequest.Config> configs, bool validateOnly)
    {
        if (configs.Any(c => c.Value is null))
        {
            return (ErrorCode.InvalidConfig, "Null value not supported for topic configs");
        }

        var overrides = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var config in configs)
        {
            overrides[config.Name] = config.Value;
        }

        var result = broker.Logs.SetTopicConfigs(topic, overrides, validateOnly);
        return (result.Error, result.Message);
    }

    private static (ErrorCode, string?) ApplyBroker(BrokerContext broker, string name, List<AlterConfigsRequest.Config> configs, bool validateOnly)
    {
        if (ConfigAlteration.Duplicates(configs.Select(c => c.Name)) is { } duplicates)
        {
            return duplicates;
        }

        if (ConfigAlteration.NullValues(configs.Where(c => c.Value is null).Select(c => c.Name)) is { } nulls)
        {
            return nulls;
        }

        var (clusterDefault, error, message) = ConfigAlteration.BrokerTarget(broker, name);
        return error != ErrorCode.None
            ? (error, message)
            : broker.Config.AlterDynamic(clusterDefault, _ => (configs.ToDictionary(c => c.Name, c => c.Value!, StringComparer.Ordinal), ErrorCode.None, null), validateOnly);
    }
}
