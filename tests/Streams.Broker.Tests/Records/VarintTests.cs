using Streams.Broker.Records;

namespace Streams.Broker.Tests.Records;

public class VarintTests
{
    [Theory]
    [InlineData(0, new byte[] { 0x00 })]
    [InlineData(-1, new byte[] { 0x01 })]
    [InlineData(1, new byte[] { 0x02 })]
    [InlineData(63, new byte[] { 0x7E })]
    [InlineData(-64, new byte[] { 0x7F })]
    [InlineData(64, new byte[] { 0x80, 0x01 })]
    [InlineData(int.MaxValue, new byte[] { 0xFE, 0xFF, 0xFF, 0xFF, 0x0F })]
    [InlineData(int.MinValue, new byte[] { 0xFF, 0xFF, 0xFF, 0xFF, 0x0F })]
    public void Varint_uses_zig_zag_encoding(int value, byte[] expected)
    {
        var buffer = new byte[5];
        var written = Varint.WriteVarint(buffer, value);
        Assert.Equal(expected, buffer[..written]);
        Assert.Equal(expected.Length, Varint.SizeOfVarint(value));

        var position = 0;
        Assert.True(Varint.ReadVarint(expected, ref position, out var read));
        Assert.Equal(value, read);
        Assert.Equal(expected.Length, position);
    }

    [Theory]
    [InlineData(0L)]
    [InlineData(-1L)]
    [InlineData(1_700_000_000_000L)]
    [InlineData(long.MaxValue)]
    [InlineData(long.MinValue)]
    public void Varlong_round_trips(long value)
    {
        var buffer = new byte[10];
        var written = Varint.WriteVarlong(buffer, value);
        Assert.Equal(written, Varint.SizeOfVarlong(value));

        var position = 0;
        Assert.True(Varint.ReadVarlong(buffer.AsSpan(0, written), ref position, out var read));
        Assert.Equal(value, read);
        Assert.Equal(written, position);
    }

    [Fact]
    public void Varint_reader_rejects_truncated_input_and_keeps_its_position()
    {
        var position = 0;
        Assert.False(Varint.ReadVarint(new byte[] { 0x80, 0x80 }, ref position, out _));
        Assert.Equal(0, position);
    }

    [Fact]
    public void Varint_reader_rejects_more_than_five_bytes()
    {
        var position = 0;
        Assert.False(Varint.ReadVarint(new byte[] { 0x80, 0x80, 0x80, 0x80, 0x80, 0x01 }, ref position, out _));
    }

    [Fact]
    public void Varlong_reader_rejects_more_than_ten_bytes()
    {
        var position = 0;
        var overlong = Enumerable.Repeat((byte)0x80, 10).Append((byte)0x01).ToArray();
        Assert.False(Varint.ReadVarlong(overlong, ref position, out _));
    }
}
