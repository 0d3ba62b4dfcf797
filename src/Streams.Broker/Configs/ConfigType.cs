namespace Streams.Broker.Configs;

internal enum ConfigType
{
    Boolean,
    Int,
    Long,
    Double,
    String,
    List,
}
