namespace Streams.Broker.Records;

/// <summary>One record read in place from a batch's record bytes; spans point into that buffer.</summary>
internal readonly ref struct RawRecord
{
    public long TimestampDelta { get; init; }
    public int OffsetDelta { get; init; }
    public bool HasKey { get; init; }
    public ReadOnlySpan<byte> Key { get; init; }
    public bool HasValue { get; init; }
    public ReadOnlySpan<byte> Value { get; init; }
    public int HeaderCount { get; init; }

    /// <summary>The encoded headers, already checked for consistent framing.</summary>
    public ReadOnlySpan<byte> Headers { get; init; }
}
