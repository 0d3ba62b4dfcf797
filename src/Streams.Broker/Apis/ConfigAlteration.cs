using Streams.Broker.Protocol;

namespace Streams.Broker.Apis;

/// <summary>What AlterConfigs and IncrementalAlterConfigs share: which resources can change.</summary>
internal static class ConfigAlteration
{
    /// <summary>Runs <paramref name="alterTopic"/> for topic resources; every other resource type is refused.</summary>
    public static (ErrorCode Error, string? Message) Alter(ConfigResourceType type, Func<(ErrorCode, string?)> alterTopic) => type switch
    {
        ConfigResourceType.Topic => alterTopic(),
        ConfigResourceType.Broker => (ErrorCode.InvalidRequest, "Broker settings of the embedded broker are static; restart it with new settings."),
        _ => (ErrorCode.InvalidRequest, $"Config resource type {(sbyte)type} is not supported."),
    };
}
