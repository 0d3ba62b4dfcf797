using Confluent.Kafka;
using Streams.Broker.Protocol;
using Streams.Broker.Protocol.Messages;
using Streams.Broker.Tests.Support;
using Xunit.Abstractions;
using ErrorCode = Streams.Broker.Protocol.ErrorCode;

namespace Streams.Broker.Tests.Protocol;

/// <summary>The generated codecs behind a real connection: flexible requests with tags we do not know, answered in full.</summary>
public sealed class WireTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const string Topic = "wire";
    private TestBroker _broker = null!;

    public async Task InitializeAsync()
    {
        _broker = await TestBroker.StartAsync(output);
        await Clients.CreateTopicAsync(_broker.BootstrapServers, Topic);
        using var producer = Clients.Producer<Null, string>(_broker.BootstrapServers);
        for (var i = 0; i < 3; i++)
        {
            await producer.ProduceAsync(Topic, new Message<Null, string> { Value = $"m{i}" });
        }
    }

    public Task DisposeAsync() => _broker.DisposeAsync().AsTask();

    [Fact]
    public async Task ApiVersions_v3_with_unknown_tags_lists_every_api_with_the_versions_of_its_definition()
    {
        using var connection = await RawConnection.ConnectAsync(_broker.Broker);

        var reader = await connection.RequestAsync(ApiKey.ApiVersions, 3, w =>
        {
            new ApiVersionsRequest { ClientSoftwareName = "wire-test", ClientSoftwareVersion = "1.0" }.Write(w, 3);
            ReplaceEmptyTagsWithUnknownOnes(w);
        }, flexible: true);
        var response = ApiVersionsResponse.Read(ref reader, 3);

        Assert.Equal(ErrorCode.None, response.ErrorCode);
        var produce = Assert.Single(response.ApiKeys, k => k.ApiKey == (short)ApiKey.Produce);
        Assert.Equal((ProduceRequest.LowestVersion, ProduceRequest.HighestVersion), (produce.MinVersion, produce.MaxVersion));
        var fetch = Assert.Single(response.ApiKeys, k => k.ApiKey == (short)ApiKey.Fetch);
        Assert.Equal((FetchRequest.LowestVersion, FetchRequest.HighestVersion), (fetch.MinVersion, fetch.MaxVersion));
        Assert.Equal(new Apis.ApiRegistry().Handlers.Select(h => (short)h.Key), response.ApiKeys.Select(k => k.ApiKey));
    }

    [Fact]
    public async Task Flexible_ListOffsets_with_unknown_tags_in_every_struct_is_answered()
    {
        using var connection = await RawConnection.ConnectAsync(_broker.Broker);

        var reader = await connection.RequestAsync(ApiKey.ListOffsets, 7, w =>
        {
            w.WriteInt32(-1);
            w.WriteInt8(0);
            w.WriteArrayLength(1);
            w.WriteString(Topic);
            w.WriteArrayLength(2);
            foreach (var timestamp in new long[] { -2, -1 })
            {
                w.WriteInt32(0);
                w.WriteInt32(-1);
                w.WriteInt64(timestamp);
                WriteUnknownTags(w);
            }

            WriteUnknownTags(w);
            WriteUnknownTags(w);
        }, flexible: true);
        var response = ListOffsetsResponse.Read(ref reader, 7);

        var partitions = Assert.Single(response.Topics).Partitions;
        Assert.Equal([0L, 3L], partitions.Select(p => p.Offset));
        Assert.All(partitions, p => Assert.Equal(ErrorCode.None, p.ErrorCode));
        Assert.Equal(0, reader.Remaining);
    }

    private static void ReplaceEmptyTagsWithUnknownOnes(KafkaWriter writer)
    {
        writer.Truncate(writer.Position - 1);
        WriteUnknownTags(writer);
    }

    private static void WriteUnknownTags(KafkaWriter writer)
    {
        writer.WriteUnsignedVarint(2);
        writer.WriteUnsignedVarint(17);
        writer.WriteUnsignedVarint(3);
        writer.WriteRaw([1, 2, 3]);
        writer.WriteUnsignedVarint(1000);
        writer.WriteUnsignedVarint(0);
    }
}
