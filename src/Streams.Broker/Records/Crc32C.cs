using System.Buffers.Binary;
using System.Numerics;

namespace Streams.Broker.Records;

/// <summary>CRC-32C (Castagnoli), the checksum of magic-2 record batches.</summary>
internal static class Crc32C
{
    public static uint Compute(ReadOnlySpan<byte> data)
    {
        var crc = 0xFFFFFFFFu;
        // The accumulator consumes a ulong least-significant byte first, so a little-endian load keeps byte order on any CPU.
        while (data.Length >= sizeof(ulong))
        {
            crc = BitOperations.Crc32C(crc, BinaryPrimitives.ReadUInt64LittleEndian(data));
            data = data[sizeof(ulong)..];
        }

        foreach (var b in data)
        {
            crc = BitOperations.Crc32C(crc, b);
        }

        return crc ^ 0xFFFFFFFFu;
    }
}
