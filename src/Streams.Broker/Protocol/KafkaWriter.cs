using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace Streams.Broker.Protocol;

/// <summary>
/// Writes one response frame (size prefix, header, body) into a pooled buffer. <see cref="Flexible"/> mirrors
/// <see cref="KafkaReader.Flexible"/>: compact strings/arrays and tagged fields when set.
/// </summary>
internal sealed class KafkaWriter : IBufferWriter<byte>, IDisposable
{
    private byte[] _buffer;
    private int _position;

    public KafkaWriter(int initialCapacity = 256)
    {
        _buffer = ArrayPool<byte>.Shared.Rent(initialCapacity);
    }

    public bool Flexible { get; set; }

    public int Position => _position;

    public ReadOnlyMemory<byte> WrittenMemory => _buffer.AsMemory(0, _position);

    public Span<byte> GetSpan(int sizeHint = 0)
    {
        Ensure(Math.Max(sizeHint, 1));
        return _buffer.AsSpan(_position);
    }

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        Ensure(Math.Max(sizeHint, 1));
        return _buffer.AsMemory(_position);
    }

    public void Advance(int count) => _position += count;

    private void Ensure(int extra)
    {
        if (_position + extra <= _buffer.Length)
        {
            return;
        }

        var bigger = ArrayPool<byte>.Shared.Rent(Math.Max(_buffer.Length * 2, _position + extra));
        _buffer.AsSpan(0, _position).CopyTo(bigger);
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = bigger;
    }

    private Span<byte> Take(int count)
    {
        Ensure(count);
        var span = _buffer.AsSpan(_position, count);
        _position += count;
        return span;
    }

    public void WriteInt8(sbyte value) => Take(1)[0] = (byte)value;

    public void WriteBool(bool value) => Take(1)[0] = value ? (byte)1 : (byte)0;

    public void WriteInt16(short value) => BinaryPrimitives.WriteInt16BigEndian(Take(2), value);

    public void WriteErrorCode(ErrorCode code) => WriteInt16((short)code);

    public void WriteInt32(int value) => BinaryPrimitives.WriteInt32BigEndian(Take(4), value);

    public void WriteInt64(long value) => BinaryPrimitives.WriteInt64BigEndian(Take(8), value);

    public void WriteUInt16(ushort value) => BinaryPrimitives.WriteUInt16BigEndian(Take(2), value);

    public void WriteUInt32(uint value) => BinaryPrimitives.WriteUInt32BigEndian(Take(4), value);

    public void WriteFloat64(double value) => BinaryPrimitives.WriteDoubleBigEndian(Take(8), value);

    public void WriteUuid(Guid value) => value.TryWriteBytes(Take(16), bigEndian: true, out _);

    /// <summary>Reserves an int32 to patch later (for sizes known only after the content is written).</summary>
    public int ReserveInt32()
    {
        var at = _position;
        Take(4);
        return at;
    }

    public void PatchInt32(int at, int value) => BinaryPrimitives.WriteInt32BigEndian(_buffer.AsSpan(at, 4), value);

    public void PatchInt64(int at, long value) => BinaryPrimitives.WriteInt64BigEndian(_buffer.AsSpan(at, 8), value);

    /// <summary>Drops everything written after <paramref name="position"/>.</summary>
    public void Truncate(int position) => _position = Math.Min(_position, position);

    public void WriteUnsignedVarint(uint value)
    {
        while (value >= 0x80)
        {
            Take(1)[0] = (byte)(value | 0x80);
            value >>= 7;
        }

        Take(1)[0] = (byte)value;
    }

    public void WriteString(string value) => WriteNullableString(value);

    public void WriteNullableString(string? value)
    {
        if (value is null)
        {
            if (Flexible)
            {
                WriteUnsignedVarint(0);
            }
            else
            {
                WriteInt16(-1);
            }

            return;
        }

        var length = Encoding.UTF8.GetByteCount(value);
        if (Flexible)
        {
            WriteUnsignedVarint((uint)length + 1);
        }
        else
        {
            WriteInt16((short)length);
        }

        Encoding.UTF8.GetBytes(value, Take(length));
    }

    public void WriteNullableBytes(ReadOnlySpan<byte> value, bool isNull = false)
    {
        if (isNull)
        {
            if (Flexible)
            {
                WriteUnsignedVarint(0);
            }
            else
            {
                WriteInt32(-1);
            }

            return;
        }

        WriteBytesLength(value.Length);
        value.CopyTo(Take(value.Length));
    }

    public void WriteBytes(ReadOnlySpan<byte> value) => WriteNullableBytes(value);

    public void WriteBytesLength(int length)
    {
        if (Flexible)
        {
            WriteUnsignedVarint((uint)length + 1);
        }
        else
        {
            WriteInt32(length);
        }
    }

    public void WriteRaw(ReadOnlySpan<byte> value) => value.CopyTo(Take(value.Length));

    /// <summary>Array length; -1 writes a null array.</summary>
    public void WriteArrayLength(int count)
    {
        if (Flexible)
        {
            WriteUnsignedVarint((uint)(count + 1));
        }
        else
        {
            WriteInt32(count);
        }
    }

    public void WriteArray<T>(IReadOnlyCollection<T> items, Action<KafkaWriter, T> writeElement)
    {
        WriteArrayLength(items.Count);
        foreach (var item in items)
        {
            writeElement(this, item);
        }
    }

    /// <summary>An empty tagged-field section; no-op for non-flexible versions.</summary>
    public void WriteTaggedFields()
    {
        if (Flexible)
        {
            Take(1)[0] = 0;
        }
    }

    public void Reset() => _position = 0;

    public void Dispose()
    {
        var buffer = Interlocked.Exchange(ref _buffer, []);
        if (buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
