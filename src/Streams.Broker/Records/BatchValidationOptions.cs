namespace Streams.Broker.Records;

/// <param name="MaxMessageBytes">The topic's <c>max.message.bytes</c>: the largest batch accepted.</param>
/// <param name="RequireKeys">True for compacted topics, where every record needs a key.</param>
/// <param name="AllowZstd">False when the Produce request version is below 7.</param>
internal readonly record struct BatchValidationOptions(int MaxMessageBytes, bool RequireKeys, bool AllowZstd);
