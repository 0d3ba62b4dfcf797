namespace Streams.Broker.Protocol;

/// <summary>
/// The value of a RECORDS field. It is a hook rather than a byte array so neither hot path copies: a request's
/// record batches stay a slice of the pooled frame (<see cref="MemoryRecordSet"/>), and a fetch response writes
/// straight from the log into the response buffer (a subclass that reads segments while being written).
/// </summary>
internal abstract class RecordSet
{
    /// <summary>Writes the length prefix (int32, or varint when flexible) and the batches.</summary>
    public abstract void WriteTo(KafkaWriter writer);

    public static RecordSet? Read(ref KafkaReader reader) =>
        reader.ReadNullableBytes() is { } bytes ? new MemoryRecordSet(bytes) : null;

    public static void Write(KafkaWriter writer, RecordSet? records)
    {
        if (records is null)
        {
            writer.WriteNullableBytes(default, isNull: true);
        }
        else
        {
            records.WriteTo(writer);
        }
    }
}

/// <summary>Record batches already in memory; when read from a request, a slice of the request frame (no copy).</summary>
internal sealed class MemoryRecordSet(ReadOnlyMemory<byte> batches) : RecordSet
{
    public ReadOnlyMemory<byte> Batches { get; } = batches;

    public override void WriteTo(KafkaWriter writer) => writer.WriteBytes(Batches.Span);
}
