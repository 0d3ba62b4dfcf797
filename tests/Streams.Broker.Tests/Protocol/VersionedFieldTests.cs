using System.Runtime.InteropServices;
using Streams.Broker.Apis;
using Streams.Broker.Protocol;
using Streams.Broker.Protocol.Messages;

namespace Streams.Broker.Tests.Protocol;

/// <summary>Kafka's rules for fields by version: absent fields keep their defaults, nulls only where allowed, records not copied.</summary>
public class VersionedFieldTests
{
    [Fact]
    public void Fields_absent_from_a_version_read_as_their_defaults()
    {
        using var writer = new KafkaWriter();
        writer.WriteString("group");
        writer.WriteInt32(3);
        writer.WriteString("member");
        writer.WriteArrayLength(1);
        writer.WriteString("topic");
        writer.WriteArrayLength(1);
        writer.WriteInt32(0);
        writer.WriteInt64(42);
        writer.WriteNullableString(null);

        var request = MessageCodec.Read<OffsetCommitRequest>(writer.WrittenMemory, 5);
        Assert.Equal(-1, request.RetentionTimeMs); // v2-4 only
        Assert.Null(request.GroupInstanceId); // v7+
        var partition = Assert.Single(Assert.Single(request.Topics).Partitions);
        Assert.Equal(-1, partition.CommittedLeaderEpoch); // v6+
        Assert.Equal(42, partition.CommittedOffset);
        Assert.Null(partition.CommittedMetadata);
    }

    [Fact]
    public void Metadata_before_v4_allows_auto_creation_as_its_default_says()
    {
        using var writer = new KafkaWriter();
        writer.WriteArrayLength(0);

        Assert.True(MessageCodec.Read<MetadataRequest>(writer.WrittenMemory, 3).AllowAutoTopicCreation);
        Assert.Empty(MessageCodec.Read<MetadataRequest>(writer.WrittenMemory, 3).Topics!);
    }

    [Fact]
    public void A_null_array_is_accepted_only_in_its_nullable_versions()
    {
        var all = new OffsetFetchRequest { GroupId = "g", Topics = null };

        Assert.Null(MessageCodec.Read<OffsetFetchRequest>(MessageCodec.Write(all, 2), 2).Topics);
        Assert.Throws<ProtocolException>(() => MessageCodec.Write(all, 1));

        using var writer = new KafkaWriter();
        writer.WriteString("g");
        writer.WriteArrayLength(-1);
        Assert.Throws<ProtocolException>(() => MessageCodec.Read<OffsetFetchRequest>(writer.WrittenMemory, 1));
    }

    [Fact]
    public void Produce_records_are_a_slice_of_the_request_frame_not_a_copy()
    {
        using var writer = new KafkaWriter();
        writer.WriteNullableString(null);
        writer.WriteInt16(-1);
        writer.WriteInt32(5000);
        writer.WriteArrayLength(1);
        writer.WriteString("orders");
        writer.WriteArrayLength(1);
        writer.WriteInt32(2);
        writer.WriteBytes([1, 2, 3, 4, 5]);
        var frame = writer.WrittenMemory.ToArray();

        var request = MessageCodec.Read<ProduceRequest>(frame, 8);
        var partition = Assert.Single(Assert.Single(request.TopicData).PartitionData);
        var records = Assert.IsType<MemoryRecordSet>(partition.Records);
        Assert.True(MemoryMarshal.TryGetArray(records.Batches, out var segment));
        Assert.Same(frame, segment.Array);
        Assert.Equal(frame.Length - 5, segment.Offset);
        Assert.Equal(5, segment.Count);
    }

    [Fact]
    public void Null_records_stay_null()
    {
        var request = new ProduceRequest { Acks = 1, TopicData = [new() { Name = "t", PartitionData = [new() { Index = 0, Records = null }] }] };

        var read = MessageCodec.Read<ProduceRequest>(MessageCodec.Write(request, 3), 3);

        Assert.Null(read.TopicData[0].PartitionData[0].Records);
    }

    [Fact]
    public void The_unsupported_version_reply_is_a_v0_body_listing_only_ApiVersions()
    {
        var registry = new ApiRegistry();
        using var writer = new KafkaWriter { Flexible = true };

        ApiVersionsApi.WriteUnsupportedVersion(writer, registry.Find((short)ApiKey.ApiVersions)!);

        byte[] expected = [0x00, 0x23, 0x00, 0x00, 0x00, 0x01, 0x00, 0x12, 0x00, 0x00, 0x00, 0x04];
        Assert.Equal(expected, writer.WrittenMemory.ToArray());
    }
}
