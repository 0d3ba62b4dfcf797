namespace Streams.Broker.Records;

/// <param name="MaxMessageBytes">The topic's <c>max.message.bytes</c>: the largest batch accepted.</param>
/// <param name="RequireKeys">True for compacted topics, where every record needs a key.</param>
/// <param name="AllowZstd">False when the Produce request version is below 7.</param>
/// <param name="MinTimestamp">The earliest record timestamp accepted (now minus <c>message.timestamp.before.max.ms</c>); CreateTime topics only.</param>
/// <param name="MaxTimestamp">The latest record timestamp accepted (now plus <c>message.timestamp.after.max.ms</c>); CreateTime topics only.</param>
internal readonly record struct BatchValidationOptions(
    int MaxMessageBytes, bool RequireKeys, bool AllowZstd, long MinTimestamp = long.MinValue, long MaxTimestamp = long.MaxValue);
