using Streams.Broker.Protocol;
using Streams.Broker.Protocol.Messages;

namespace Streams.Broker.Tests.Protocol;

/// <summary>Tagged fields (flexible versions): known tags read and written when not default, unknown tags skipped.</summary>
public class TaggedFieldTests
{
    [Fact]
    public void Default_tagged_fields_are_not_written_so_each_struct_ends_with_an_empty_tag_section()
    {
        var response = new ApiVersionsResponse { ApiKeys = [new() { ApiKey = 18, MinVersion = 0, MaxVersion = 3 }] };

        byte[] expected =
        [
            0x00, 0x00, // error code
            0x02, // compact array of one
            0x00, 0x12, 0x00, 0x00, 0x00, 0x03, 0x00, // ApiVersions 0-3, no tags
            0x00, 0x00, 0x00, 0x00, // throttle time
            0x00, // no tags
        ];
        Assert.Equal(expected, MessageCodec.Write(response, 3));
    }

    [Fact]
    public void Non_default_tagged_fields_are_written_in_tag_order_and_read_back()
    {
        var response = new ApiVersionsResponse
        {
            FinalizedFeaturesEpoch = 7,
            ZkMigrationReady = true,
            SupportedFeatures = [new() { Name = "metadata.version", MinVersion = 1, MaxVersion = 20 }],
        };

        var bytes = MessageCodec.Write(response, 3);
        var tags = bytes.AsSpan(2 + 1 + 4); // error code, empty compact array, throttle time
        Assert.Equal(3, tags[0]); // three tagged fields
        Assert.Equal(0, tags[1]); // SupportedFeatures (tag 0) comes first

        var read = MessageCodec.Read<ApiVersionsResponse>(bytes, 3);
        Assert.Equal(7, read.FinalizedFeaturesEpoch);
        Assert.True(read.ZkMigrationReady);
        Assert.Equal("metadata.version", Assert.Single(read.SupportedFeatures).Name);
        Assert.Empty(read.FinalizedFeatures);
    }

    [Fact]
    public void Unknown_tags_are_skipped_wherever_they_appear()
    {
        using var writer = new KafkaWriter { Flexible = true };
        writer.WriteErrorCode(ErrorCode.None);
        writer.WriteArrayLength(1);
        writer.WriteInt16(3);
        writer.WriteInt16(1);
        writer.WriteInt16(8);
        WriteTags(writer, (40, [1, 2, 3])); // unknown tag inside an array element
        writer.WriteInt32(0);
        WriteTags(writer, (1, [0, 0, 0, 0, 0, 0, 0, 9]), (5, [0xFF]), (1000, [])); // known FinalizedFeaturesEpoch, then two unknown

        var read = MessageCodec.Read<ApiVersionsResponse>(writer.WrittenMemory, 3);
        Assert.Equal(9, read.FinalizedFeaturesEpoch);
        Assert.Equal(8, Assert.Single(read.ApiKeys).MaxVersion);
    }

    [Fact]
    public void Unknown_tags_in_a_request_are_skipped()
    {
        using var writer = new KafkaWriter { Flexible = true };
        writer.WriteString("confluent-kafka-dotnet");
        writer.WriteString("2.16.0");
        WriteTags(writer, (0, [1]), (9, [1, 2, 3, 4, 5]));

        var read = MessageCodec.Read<ApiVersionsRequest>(writer.WrittenMemory, 3);
        Assert.Equal("confluent-kafka-dotnet", read.ClientSoftwareName);
        Assert.Equal("2.16.0", read.ClientSoftwareVersion);
    }

    [Fact]
    public void A_known_tag_whose_declared_size_does_not_match_its_value_is_malformed()
    {
        using var writer = new KafkaWriter { Flexible = true };
        writer.WriteErrorCode(ErrorCode.None);
        writer.WriteArrayLength(0);
        writer.WriteInt32(0);
        WriteTags(writer, (1, [0, 0, 0, 0, 0, 0, 0, 9, 0])); // an int64 declared as 9 bytes

        Assert.Throws<ProtocolException>(() => MessageCodec.Read<ApiVersionsResponse>(writer.WrittenMemory, 3));
    }

    private static void WriteTags(KafkaWriter writer, params (uint Tag, byte[] Value)[] tags)
    {
        writer.WriteUnsignedVarint((uint)tags.Length);
        foreach (var (tag, value) in tags)
        {
            writer.WriteUnsignedVarint(tag);
            writer.WriteUnsignedVarint((uint)value.Length);
            writer.WriteRaw(value);
        }
    }
}
