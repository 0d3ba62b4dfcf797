namespace Streams.Broker.Protocol;

/// <summary>A request that cannot be decoded. Kafka closes the connection on such input, and so do we.</summary>
public sealed class ProtocolException(string message) : Exception(message);
