namespace Streams.Broker.Records;

/// <summary>
/// Zig-zag varints as used inside magic-2 records (not the unsigned varints of flexible request headers).
/// Readers return false on truncated or over-long input instead of throwing, because they run on untrusted produce data.
/// </summary>
internal static class Varint
{
    private const int MaxVarintBytes = 5;
    private const int MaxVarlongBytes = 10;

    public static bool ReadVarint(ReadOnlySpan<byte> source, ref int position, out int value)
    {
        var pos = position;
        uint raw = 0;
        for (var i = 0; i < MaxVarintBytes; i++)
        {
            if ((uint)pos >= (uint)source.Length)
            {
                break;
            }

            var b = source[pos++];
            raw |= (uint)(b & 0x7F) << (7 * i);
            if (b < 0x80)
            {
                position = pos;
                value = (int)(raw >> 1) ^ -(int)(raw & 1);
                return true;
            }
        }

        value = 0;
        return false;
    }

    public static bool ReadVarlong(ReadOnlySpan<byte> source, ref int position, out long value)
    {
        var pos = position;
        ulong raw = 0;
        for (var i = 0; i < MaxVarlongBytes; i++)
        {
            if ((uint)pos >= (uint)source.Length)
            {
                break;
            }

            var b = source[pos++];
            raw |= (ulong)(b & 0x7F) << (7 * i);
            if (b < 0x80)
            {
                position = pos;
                value = (long)(raw >> 1) ^ -(long)(raw & 1);
                return true;
            }
        }

        value = 0;
        return false;
    }

    /// <returns>The number of bytes written.</returns>
    public static int WriteVarint(Span<byte> destination, int value)
    {
        var raw = (uint)((value << 1) ^ (value >> 31));
        var i = 0;
        while (raw >= 0x80)
        {
            destination[i++] = (byte)(raw | 0x80);
            raw >>= 7;
        }

        destination[i++] = (byte)raw;
        return i;
    }

    /// <returns>The number of bytes written.</returns>
    public static int WriteVarlong(Span<byte> destination, long value)
    {
        var raw = (ulong)((value << 1) ^ (value >> 63));
        var i = 0;
        while (raw >= 0x80)
        {
            destination[i++] = (byte)(raw | 0x80);
            raw >>= 7;
        }

        destination[i++] = (byte)raw;
        return i;
    }

    public static int SizeOfVarint(int value)
    {
        var raw = (uint)((value << 1) ^ (value >> 31));
        var size = 1;
        while (raw >= 0x80)
        {
            size++;
            raw >>= 7;
        }

        return size;
    }

    public static int SizeOfVarlong(long value)
    {
        var raw = (ulong)((value << 1) ^ (value >> 63));
        var size = 1;
        while (raw >= 0x80)
        {
            size++;
            raw >>= 7;
        }

        return size;
    }
}
