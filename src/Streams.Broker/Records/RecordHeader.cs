namespace Streams.Broker.Records;

/// <summary>A record header; the key is never null, a null value is allowed.</summary>
internal readonly record struct RecordHeader(string Key, ReadOnlyMemory<byte>? Value);
