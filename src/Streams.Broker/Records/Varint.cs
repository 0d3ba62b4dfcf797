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
        var ok = TryReadRaw(source, ref position, MaxVarintBytes, out var raw);
        value = (int)((uint)raw >> 1) ^ -(int)(raw & 1);
        return ok;
    }

    public static bool ReadVarlong(ReadOnlySpan<byte> source, ref int position, out long value)
    {
        var ok = TryReadRaw(source, ref position, MaxVarlongBytes, out var raw);
        value = (long)(raw >> 1) ^ -(long)(raw & 1);
        return ok;
    }

    /// <summary>The unsigned base-128 value; <paramref name="position"/> moves only when it is complete within <paramref name="maxBytes"/>.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private static bool TryReadRaw(ReadOnlySpan<byte> source, ref int position, int maxBytes, out ulong raw)
    {
        var pos = position;
        raw = 0;
        for (var i = 0; i < maxBytes && (uint)pos < (uint)source.Length; i++)
        {
            var b = source[pos++];
            raw |= (ulong)(b & 0x7F) << (7 * i);
            if (b < 0x80)
            {
                position = pos;
                return true;
            }
        }

        raw = 0;
        return false;
    }

    /// <returns>The number of bytes written.</returns>
    public static int WriteVarint(Span<byte> destination, int value) => WriteRaw(destination, (uint)((value << 1) ^ (value >> 31)));

    /// <returns>The number of bytes written.</returns>
    public static int WriteVarlong(Span<byte> destination, long value) => WriteRaw(destination, (ulong)((value << 1) ^ (value >> 63)));

    private static int WriteRaw(Span<byte> destination, ulong raw)
    {
        var i = 0;
        while (raw >= 0x80)
        {
            destination[i++] = (byte)(raw | 0x80);
            raw >>= 7;
        }

        destination[i++] = (byte)raw;
        return i;
    }

    public static int SizeOfVarint(int value) => SizeOfRaw((uint)((value << 1) ^ (value >> 31)));

    public static int SizeOfVarlong(long value) => SizeOfRaw((ulong)((value << 1) ^ (value >> 63)));

    private static int SizeOfRaw(ulong raw)
    {
        var size = 1;
        while (raw >= 0x80)
        {
            size++;
            raw >>= 7;
        }

        return size;
    }
}
