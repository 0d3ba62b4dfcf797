using System.Text;
using Streams.Broker.Records;

namespace Streams.Broker.Tests.Records;

public class Crc32CTests
{
    [Fact]
    public void Crc32C_of_ascii_123456789_is_the_standard_check_value()
    {
        Assert.Equal(0xE3069283u, Crc32C.Compute(Encoding.ASCII.GetBytes("123456789")));
    }

    [Fact]
    public void Crc32C_of_nothing_is_zero()
    {
        Assert.Equal(0u, Crc32C.Compute([]));
    }

    [Fact]
    public void Crc32C_matches_a_bitwise_reference_for_every_tail_length()
    {
        var data = new byte[67];
        new Random(42).NextBytes(data);
        for (var length = 0; length <= data.Length; length++)
        {
            Assert.Equal(BitwiseReference(data.AsSpan(0, length)), Crc32C.Compute(data.AsSpan(0, length)));
        }
    }

    private static uint BitwiseReference(ReadOnlySpan<byte> data)
    {
        // Reflected Castagnoli polynomial.
        const uint polynomial = 0x82F63B78;
        var crc = 0xFFFFFFFFu;
        foreach (var b in data)
        {
            crc ^= b;
            for (var bit = 0; bit < 8; bit++)
            {
                crc = (crc & 1) != 0 ? (crc >> 1) ^ polynomial : crc >> 1;
            }
        }

        return ~crc;
    }
}
