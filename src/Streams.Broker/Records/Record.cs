namespace Streams.Broker.Records;

/// <summary>A decoded record with its absolute offset and effective timestamp; null key/value are distinct from empty.</summary>
internal sealed record Record(
    long Offset,
    long Timestamp,
    ReadOnlyMemory<byte>? Key,
    ReadOnlyMemory<byte>? Value,
    IReadOnlyList<RecordHeader> Headers);
