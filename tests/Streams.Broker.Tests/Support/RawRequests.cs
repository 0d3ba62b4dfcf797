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

    /// <summary>
    /// Metadata v8 for the named topics, or for all (internal ones included: tests about user topics filter on
    /// IsInternal).
    /// </summary>
    public static async Task<List<MetadataTopic>> MetadataTopicsAsync(RawConnection connection, IReadOnlyList<string>? topics = null, bool allowAutoCreate = false)
    {
        var reader = await connection.RequestAsync(ApiKey.Metadata, 8, w =>
        {
            w.WriteArrayLength(topics?.Count ?? -1);
            foreach (var topic in topics ?? [])
            {
                w.WriteString(topic);
            }

            w.WriteBool(allowAutoCreate);
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
        var described = new List<MetadataTopic>();
        var count = reader.ReadArrayLength();
        for (var t = 0; t < count; t++)
        {
            var error = (ErrorCode)reader.ReadInt16();
            var name = reader.ReadString();
            var isInternal = reader.ReadBool();
            var partitions = reader.ReadArrayLength();
            for (var p = 0; p < partitions; p++)
            {
                reader.ReadInt16();
                reader.ReadInt32();
                reader.ReadInt32();
                reader.ReadInt32();
                for (var list = 0; list < 3; list++)
                {
                    var nodes = reader.ReadArrayLength();
                    for (var n = 0; n < nodes; n++)
                    {
                        reader.ReadInt32();
                    }
                }
            }

            reader.ReadInt32();
            described.Add(new MetadataTopic(name, isInternal, error, partitions));
        }

        return described;
    }

    /// <summary>The names of the topics clients created, without the broker's internal ones.</summary>
    public static async Task<List<string>> UserTopicNamesAsync(RawConnection connection) =>
        [.. (await MetadataTopicsAsync(connection)).Where(t => !t.IsInternal).Select(t => t.Name)];
}

internal sealed record MetadataTopic(string Name, bool IsInternal, ErrorCode Error, int Partitions);
