using System.Buffers.Binary;
using System.Text;

namespace Streams.Broker.Protocol;

/// <summary>
/// Reads Kafka primitives from one request body. <see cref="Flexible"/> switches strings, bytes and arrays
/// to their compact forms and enables tagged fields, so a handler decodes every version with one code path.
/// </summary>
internal struct KafkaReader(ReadOnlyMemory<byte> buffer, bool flexible)
{
    private readonly ReadOnlyMemory<byte> _buffer = buffer;
    private int _position;

    public bool Flexible { get; } = flexible;

    public readonly int Remaining => _buffer.Length - _position;

    public readonly int Position => _position;

    private ReadOnlySpan<byte> Take(int count)
    {
        if (count < 0 || count > Remaining)
        {
            throw new ProtocolException($"request truncated: needed {count} bytes at position {_position}, {Remaining} left");
        }

        var span = _buffer.Span.Slice(_position, count);
        _position += count;
        return span;
    }

    private ReadOnlyMemory<byte> TakeMemory(int count)
    {
        if (count < 0 || count > Remaining)
        {
            throw new ProtocolException($"request truncated: needed {count} bytes at position {_position}, {Remaining} left");
        }

        var memory = _buffer.Slice(_position, count);
        _position += count;
        return memory;
    }

    public sbyte ReadInt8() => (sbyte)Take(1)[0];

    public bool ReadBool() => Take(1)[0] != 0;

    public short ReadInt16() => BinaryPrimitives.ReadInt16BigEndian(Take(2));

    public int ReadInt32() => BinaryPrimitives.ReadInt32BigEndian(Take(4));

    public long ReadInt64() => BinaryPrimitives.ReadInt64BigEndian(Take(8));

    public ushort ReadUInt16() => BinaryPrimitives.ReadUInt16BigEndian(Take(2));

    public uint ReadUInt32() => BinaryPrimitives.ReadUInt32BigEndian(Take(4));

    public double ReadFloat64() => BinaryPrimitives.ReadDoubleBigEndian(Take(8));

    /// <summary>Skips <paramref name="count"/> bytes (an unknown tagged field).</summary>
    public void Skip(int count) => Take(count);

    public Guid ReadUuid() => new(Take(16), bigEndian: true);

    public uint ReadUnsignedVarint()
    {
        uint value = 0;
        for (var shift = 0; shift < 35; shift += 7)
        {
            var b = Take(1)[0];
            value |= (uint)(b & 0x7F) << shift;
            if ((b & 0x80) == 0)
            {
                return value;
            }
        }

        throw new ProtocolException("unsigned varint longer than 5 bytes");
    }

    /// <summary>A non-null string (STRING or COMPACT_STRING).</summary>
    public string ReadString() =>
        ReadNullableString() ?? throw new ProtocolException("null where a non-null string is required");

    /// <summary>A nullable string (NULLABLE_STRING or COMPACT_NULLABLE_STRING).</summary>
    public string? ReadNullableString()
    {
        var length = Flexible ? (int)ReadUnsignedVarint() - 1 : ReadInt16();
        if (length < 0)
        {
            return null;
        }

        return Encoding.UTF8.GetString(Take(length));
    }

    /// <summary>The int16-length string of request header v1/v2 (client id), which stays non-compact even in flexible headers.</summary>
    public string? ReadLegacyNullableString()
    {
        var length = ReadInt16();
        return length < 0 ? null : Encoding.UTF8.GetString(Take(length));
    }

    /// <summary>BYTES/RECORDS or their compact forms; null when the length is -1 (or 0 when compact).</summary>
    public ReadOnlyMemory<byte>? ReadNullableBytes()
    {
        var length = Flexible ? (int)ReadUnsignedVarint() - 1 : ReadInt32();

        // The cast matters: a bare null would convert to an empty ReadOnlyMemory (through byte[]), never to null.
        return length < 0 ? (ReadOnlyMemory<byte>?)null : TakeMemory(length);
    }

    public ReadOnlyMemory<byte> ReadBytes() => ReadNullableBytes() ?? ReadOnlyMemory<byte>.Empty;

    /// <summary>Array length, or -1 for a null array.</summary>
    public int ReadArrayLength()
    {
        var length = Flexible ? (int)ReadUnsignedVarint() - 1 : ReadInt32();
        if (length > Remaining)
        {
            // Every element takes at least one byte, so this length cannot be honest.
            throw new ProtocolException($"array length {length} exceeds the {Remaining} bytes left");
        }

        return length;
    }

    public List<T> ReadArray<T>(ArrayElementReader<T> readElement)
    {
        var count = ReadArrayLength();
        var items = new List<T>(Math.Max(count, 0));
        for (var i = 0; i < count; i++)
        {
            items.Add(readElement(ref this));
        }

        return items;
    }

    public List<T>? ReadNullableArray<T>(ArrayElementReader<T> readElement)
    {
        var count = ReadArrayLength();
        if (count < 0)
        {
            return null;
        }

        var items = new List<T>(count);
        for (var i = 0; i < count; i++)
        {
            items.Add(readElement(ref this));
        }

        return items;
    }

    /// <summary>Skips a tagged-field section; no-op for non-flexible versions. Unknown tags must be ignored.</summary>
    public void SkipTaggedFields()
    {
        if (!Flexible)
        {
            return;
        }

        var count = ReadUnsignedVarint();
        for (var i = 0; i < count; i++)
        {
            ReadUnsignedVarint();
            var size = (int)ReadUnsignedVarint();
            Take(size);
        }
    }
}

internal delegate T ArrayElementReader<T>(ref KafkaReader reader);
