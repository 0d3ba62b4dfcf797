using Streams.Broker.Protocol;

namespace Streams.Broker.Apis;

/// <summary>What AlterConfigs and IncrementalAlterConfigs share: which resources can change, and the per-resource answer.</summary>
internal static class AlterConfigsResponse
{
    /// <summary>Runs <paramref name="alterTopic"/> for topic resources; every other resource type is refused.</summary>
    public static (ErrorCode Error, string? Message) Alter(ConfigResourceType type, Func<(ErrorCode, string?)> alterTopic) => type switch
    {
        ConfigResourceType.Topic => alterTopic(),
        ConfigResourceType.Broker => (ErrorCode.InvalidRequest, "Broker settings of the embedded broker are static; restart it with new settings."),
        _ => (ErrorCode.InvalidRequest, $"Config resource type {(sbyte)type} is not supported."),
    };

    public static void WriteResult(KafkaWriter response, ConfigResourceType type, string name, (ErrorCode Error, string? Message) result)
    {
        response.WriteErrorCode(result.Error);
        response.WriteNullableString(result.Message);
        response.WriteInt8((sbyte)type);
        response.WriteString(name);
        response.WriteTaggedFields();
    }
}
