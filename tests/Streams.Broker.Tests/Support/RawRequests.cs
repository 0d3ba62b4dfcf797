using Streams.Broker.Protocol;

namespace Streams.Broker.Tests.Support;

/// <summary>Hand-built requests for the raw protocol tests.</summary>
internal static class RawRequests
{
    /// <summary>Produce v8 of one batch to one partition; returns (error, base offset).</summary>
    public static async Task<(ErrorCode Error, long BaseOffset)> ProduceAsync(RawConnection connection, string topic, int partition, byte[] batch, short version = 8)
    {
        var reader = await connection.RequestAsync(ApiKey.Produce, version, w =>
        {
            w.WriteNullableString(null);
            w.WriteInt16(-1);
            w.WriteInt32(5000);
            w.WriteArrayLength(1);
            w.WriteString(topic);
            w.WriteArrayLength(1);
            w.WriteInt32(partition);
            w.WriteBytes(batch);
        });
        Assert.Equal(1, reader.ReadArrayLength());
        Assert.Equal(topic, reader.ReadString());
        Assert.Equal(1, reader.ReadArrayLength());
        Assert.Equal(partition, reader.ReadInt32());
        var error = (ErrorCode)reader.ReadInt16();
        var baseOffset = reader.ReadInt64();
        return (error, baseOffset);
    }

    /// <summary>Fetch v11 of one partition; returns (error, high watermark, record bytes).</summary>
    public static async Task<(ErrorCode Error, long HighWatermark, int RecordBytes)> FetchAsync(RawConnection connection, string topic, int partition, long offset, int maxWaitMs = 0, int minBytes = 0)
    {
        var reader = await connection.RequestAsync(ApiKey.Fetch, 11, w =>
        {
            w.WriteInt32(-1);
            w.WriteInt32(maxWaitMs);
            w.WriteInt32(minBytes);
            w.WriteInt32(1 << 20);
            w.WriteInt8(0);
            w.WriteInt32(0);
            w.WriteInt32(-1);
            w.WriteArrayLength(1);
            w.WriteString(topic);
            w.WriteArrayLength(1);
            w.WriteInt32(partition);
            w.WriteInt32(-1);
            w.WriteInt64(offset);
            w.WriteInt64(-1);
            w.WriteInt32(1 << 20);
            w.WriteArrayLength(0);
            w.WriteString("");
        });
        reader.ReadInt32();
        reader.ReadInt16();
        reader.ReadInt32();
        reader.ReadArrayLength();
        reader.ReadString();
        reader.ReadArrayLength();
        reader.ReadInt32();
        var error = (ErrorCode)reader.ReadInt16();
        var highWatermark = reader.ReadInt64();
        reader.ReadInt64();
        reader.ReadInt64();
        reader.ReadArrayLength();
        reader.ReadInt32();
        var records = reader.ReadNullableBytes();
        return (error, highWatermark, records?.Length ?? 0);
    }

    public static async Task<int> MetadataTopicCountAsync(RawConnection connection)
    {
        var reader = await connection.RequestAsync(ApiKey.Metadata, 8, w =>
        {
            w.WriteArrayLength(-1);
            w.WriteBool(false);
            w.WriteBool(false);
            w.WriteBool(false);
        });
        reader.ReadInt32();
        var brokers = reader.ReadArrayLength();
        for (var i = 0; i < brokers; i++)
        {
            reader.ReadInt32();
            reader.ReadString();
            reader.ReadInt32();
            reader.ReadNullableString();
        }

        reader.ReadNullableString();
        reader.ReadInt32();
        return reader.ReadArrayLength();
    }
}
