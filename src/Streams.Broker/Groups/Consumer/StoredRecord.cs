namespace Streams.Broker.Groups.Consumer;

/// <summary>One record of a group as written to (or read from) <c>__consumer_offsets</c>.</summary>
internal sealed record StoredRecord(byte[] Key, byte[] Value)
{
    public bool SameValue(StoredRecord other) => Value.AsSpan().SequenceEqual(other.Value);
}
