namespace Streams.Broker.Apis;

/// <summary>Config resource types as numbered on the wire (<c>ConfigResource.Type</c>).</summary>
internal enum ConfigResourceType : sbyte
{
    Unknown = 0,
    Topic = 2,
    Broker = 4,
    BrokerLogger = 8,
}
