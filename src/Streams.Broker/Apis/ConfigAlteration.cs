using System.Globalization;
using Streams.Broker.Protocol;

namespace Streams.Broker.Apis;

/// <summary>What AlterConfigs and IncrementalAlterConfigs share: which resources can change, and Kafka's checks on them.</summary>
internal static class ConfigAlteration
{
    /// <summary>Runs <paramref name="alterTopic"/> for topic resources and <paramref name="alterBroker"/> for broker ones; every other resource type is refused.</summary>
    public static (ErrorCode Error, string? Message) Alter(ConfigResourceType type, Func<(ErrorCode, string?)> alterTopic, Func<(ErrorCode, string?)> alterBroker) => type switch
    {
        ConfigResourceType.Topic => alterTopic(),
        ConfigResourceType.Broker => alterBroker(),
        _ => (ErrorCode.InvalidRequest, $"Unknown resource type {((sbyte)type).ToString(CultureInfo.InvariantCulture)}"),
    };

    /// <summary>
    /// Which dynamic layer a broker resource name means: empty for the cluster-wide default, this node's id for the
    /// broker's own; anything else is Kafka's INVALID_REQUEST.
    /// </summary>
    public static (bool ClusterDefault, ErrorCode Error, string? Message) BrokerTarget(BrokerContext broker, string name)
    {
        if (name.Length == 0)
        {
            return (true, ErrorCode.None, null);
        }

        if (!int.TryParse(name, NumberStyles.Integer, CultureInfo.InvariantCulture, out var id))
        {
            return (false, ErrorCode.InvalidRequest, $"Node id must be an integer, but it is: {name}");
        }

        return id == broker.NodeId
            ? (false, ErrorCode.None, null)
            : (false, ErrorCode.InvalidRequest, $"Unexpected broker id, expected {broker.NodeId.ToString(CultureInfo.InvariantCulture)}, but received {name}");
    }

    /// <summary>Kafka's refusal of a request naming one config twice, or null.</summary>
    public static (ErrorCode, string?)? Duplicates(IEnumerable<string> names) =>
        names.GroupBy(n => n, StringComparer.Ordinal).Any(g => g.Count() > 1) ? (ErrorCode.InvalidRequest, "Error due to duplicate config keys") : null;

    /// <summary>Kafka's refusal of null values (except where the operation is DELETE), or null.</summary>
    public static (ErrorCode, string?)? NullValues(IEnumerable<string> names)
    {
        var list = names.ToList();
        return list.Count == 0 ? null : (ErrorCode.InvalidRequest, "Null value not supported for : " + string.Join(", ", list));
    }
}
