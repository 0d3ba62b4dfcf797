using Streams.Broker.Protocol;
using Streams.Broker.Protocol.Messages;
using Streams.Broker.Tests.Support;
using Xunit.Abstractions;
using ErrorCode = Streams.Broker.Protocol.ErrorCode;

namespace Streams.Broker.Tests.Protocol;

/// <summary>
/// The old versions clients with their own protocol code still send at startup (kafka-python and aiokafka pipeline
/// ApiVersions v0 and Metadata v0 while they detect the broker version), built from each version's layout.
/// </summary>
public sealed class OldVersionTests(ITestOutputHelper output) : IAsyncLifetime
{
    private TestBroker _broker = null!;

    public async Task InitializeAsync()
    {
        _broker = await TestBroker.StartAsync(output);
        await Clients.CreateTopicAsync(_broker.BootstrapServers, "old-a", partitions: 2);
        await Clients.CreateTopicAsync(_broker.BootstrapServers, "old-b");
    }

    public Task DisposeAsync() => _broker.DisposeAsync().AsTask();

    [Fact]
    public async Task ApiVersions_v0_and_Metadata_v0_pipelined_on_one_connection_are_both_answered_in_order()
    {
        using var connection = await RawConnection.ConnectAsync(_broker.Broker);

        // Both frames leave before the first answer is read, as kafka-python's check_version sends them.
        var frames = new List<byte>();
        frames.AddRange(Frame(ApiKey.ApiVersions, 0, 1, _ => { }));
        frames.AddRange(Frame(ApiKey.Metadata, 0, 2, w => w.WriteArrayLength(0)));
        await connection.SendRawAsync([.. frames]);

        var versionsFrame = await connection.ReadFrameAsync() ?? throw new IOException("closed after ApiVersions v0");
        var versionsReader = new KafkaReader(versionsFrame, flexible: false);
        Assert.Equal(1, versionsReader.ReadInt32());
        var versions = ApiVersionsResponse.Read(ref versionsReader, 0);
        Assert.Equal(ErrorCode.None, versions.ErrorCode);
        Assert.Equal(0, Assert.Single(versions.ApiKeys, k => k.ApiKey == (short)ApiKey.Metadata).MinVersion);

        var metadataFrame = await connection.ReadFrameAsync() ?? throw new IOException("closed after Metadata v0");
        var reader = new KafkaReader(metadataFrame, flexible: false);
        Assert.Equal(2, reader.ReadInt32());
        var metadata = MetadataResponse.Read(ref reader, 0);
        Assert.Equal(0, reader.Remaining);

        // v0: an empty topic list means every topic.
        var broker = Assert.Single(metadata.Brokers);
        Assert.Equal(_broker.Broker.Port, broker.Port);
        Assert.Contains(metadata.Topics, t => t.Name == "old-a" && t.Partitions.Count == 2 && t.ErrorCode == ErrorCode.None);
        Assert.Contains(metadata.Topics, t => t.Name == "old-b" && t.Partitions.Count == 1);
    }

    [Fact]
    public async Task Metadata_v0_naming_topics_answers_only_those_and_reports_invalid_names()
    {
        using var connection = await RawConnection.ConnectAsync(_broker.Broker);

        var response = await connection.SendAsync<MetadataRequest, MetadataResponse>(
            new MetadataRequest { Topics = [new() { Name = "old-b" }, new() { Name = "bad name!" }] }, 0);

        Assert.NotNull(response);
        Assert.Equal(["old-b", "bad name!"], response.Topics.Select(t => t.Name));
        Assert.Equal([ErrorCode.None, ErrorCode.InvalidTopicException], response.Topics.Select(t => t.ErrorCode));
        var partition = Assert.Single(response.Topics[0].Partitions);
        Assert.Equal((Assert.Single(response.Brokers).NodeId, 0), (partition.LeaderId, partition.PartitionIndex));
    }

    [Fact]
    public async Task An_unsupported_version_of_an_api_other_than_ApiVersions_closes_the_connection_as_Kafka_does()
    {
        using var connection = await RawConnection.ConnectAsync(_broker.Broker);

        // Kafka answers only ApiVersions with UNSUPPORTED_VERSION (KIP-511); any other API at a version it does not
        // serve fails request parsing and the socket server closes the connection without an answer.
        await connection.RequestAsync(ApiKey.Metadata, (short)(MetadataRequest.HighestVersion + 5), w => w.WriteArrayLength(0), expectResponse: false);

        Assert.True(await connection.IsClosedByBrokerAsync());
    }

    private static byte[] Frame(ApiKey key, short version, int correlationId, Action<KafkaWriter> body)
    {
        using var writer = new KafkaWriter();
        var sizeAt = writer.ReserveInt32();
        writer.WriteInt16((short)key);
        writer.WriteInt16(version);
        writer.WriteInt32(correlationId);
        writer.WriteString("kafka-python-like");
        body(writer);
        writer.PatchInt32(sizeAt, writer.Position - 4);
        return writer.WrittenMemory.ToArray();
    }
}
