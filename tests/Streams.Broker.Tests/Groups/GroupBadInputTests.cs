using Streams.Broker.Protocol;
using Streams.Broker.Tests.Support;
using Xunit.Abstractions;

namespace Streams.Broker.Tests.Groups;

/// <summary>Requests real clients would not send get Kafka's error codes and leave the group intact.</summary>
public sealed class GroupBadInputTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const string Topic = "raw-topic";
    private const string Group = "raw-group";
    private TestBroker _broker = null!;

    public async Task InitializeAsync()
    {
        _broker = await TestBroker.StartAsync(output);
        await Clients.CreateTopicAsync(_broker.BootstrapServers, Topic, partitions: 2);
    }

    public async Task DisposeAsync() => await _broker.DisposeAsync();

    private static async Task<(ErrorCode Error, int Generation, string Leader, string MemberId)> JoinAsync(RawConnection connection, string memberId, string protocolType = "consumer")
    {
        var reader = await connection.RequestAsync(ApiKey.JoinGroup, 5, w =>
        {
            w.WriteString(Group);
            w.WriteInt32(6000);
            w.WriteInt32(10000);
            w.WriteString(memberId);
            w.WriteNullableString(null);
            w.WriteString(protocolType);
            w.WriteArrayLength(1);
            w.WriteString("range");
            w.WriteBytes([0, 0, 0, 0, 0, 1, 0, 9, .. "raw-topic"u8, 255, 255, 255, 255]);
        });
        reader.ReadInt32();
        var error = (ErrorCode)reader.ReadInt16();
        var generation = reader.ReadInt32();
        reader.ReadString();
        var leader = reader.ReadString();
        return (error, generation, leader, reader.ReadString());
    }

    private static async Task<ErrorCode> SyncAsync(RawConnection connection, string memberId, int generation)
    {
        var reader = await connection.RequestAsync(ApiKey.SyncGroup, 3, w =>
        {
            w.WriteString(Group);
            w.WriteInt32(generation);
            w.WriteString(memberId);
            w.WriteNullableString(null);
            w.WriteArrayLength(1);
            w.WriteString(memberId);
            w.WriteBytes([0, 0, 0, 0, 0, 0]);
        });
        reader.ReadInt32();
        return (ErrorCode)reader.ReadInt16();
    }

    private static async Task<ErrorCode> HeartbeatAsync(RawConnection connection, string memberId, int generation)
    {
        var reader = await connection.RequestAsync(ApiKey.Heartbeat, 3, w =>
        {
            w.WriteString(Group);
            w.WriteInt32(generation);
            w.WriteString(memberId);
            w.WriteNullableString(null);
        });
        reader.ReadInt32();
        return (ErrorCode)reader.ReadInt16();
    }

    private static async Task<ErrorCode> CommitAsync(RawConnection connection, string memberId, int generation, string topic, int partition, long offset)
    {
        var reader = await connection.RequestAsync(ApiKey.OffsetCommit, 7, w =>
        {
            w.WriteString(Group);
            w.WriteInt32(generation);
            w.WriteString(memberId);
            w.WriteNullableString(null);
            w.WriteArrayLength(1);
            w.WriteString(topic);
            w.WriteArrayLength(1);
            w.WriteInt32(partition);
            w.WriteInt64(offset);
            w.WriteInt32(-1);
            w.WriteNullableString("raw");
        });
        reader.ReadInt32();
        reader.ReadArrayLength();
        reader.ReadString();
        reader.ReadArrayLength();
        reader.ReadInt32();
        return (ErrorCode)reader.ReadInt16();
    }

    private static async Task<long> FetchCommittedAsync(RawConnection connection, int partition)
    {
        var reader = await connection.RequestAsync(ApiKey.OffsetFetch, 7, w =>
        {
            w.WriteString(Group);
            w.WriteArrayLength(1);
            w.WriteString(Topic);
            w.WriteArrayLength(1);
            w.WriteInt32(partition);
            w.WriteTaggedFields();
            w.WriteBool(true);
            w.WriteTaggedFields();
        }, flexible: true);
        reader.ReadInt32();
        reader.ReadArrayLength();
        reader.ReadString();
        reader.ReadArrayLength();
        reader.ReadInt32();
        return reader.ReadInt64();
    }

    [Fact]
    public async Task Bad_group_requests_get_kafkas_errors_and_the_group_keeps_working()
    {
        using var member = await RawConnection.ConnectAsync(_broker.Broker);
        using var stranger = await RawConnection.ConnectAsync(_broker.Broker);

        var required = await JoinAsync(member, "");
        Assert.Equal(ErrorCode.MemberIdRequired, required.Error);
        var joined = await JoinAsync(member, required.MemberId);
        Assert.Equal(ErrorCode.None, joined.Error);
        Assert.Equal(joined.MemberId, joined.Leader);

        Assert.Equal(ErrorCode.InconsistentGroupProtocol, (await JoinAsync(stranger, "", protocolType: "connect")).Error);
        Assert.Equal(ErrorCode.IllegalGeneration, await SyncAsync(member, joined.MemberId, joined.Generation - 1));
        Assert.Equal(ErrorCode.UnknownMemberId, await HeartbeatAsync(stranger, "nobody", joined.Generation));
        Assert.Equal(ErrorCode.UnknownTopicOrPartition, await CommitAsync(member, joined.MemberId, joined.Generation, Topic, 7, 1));
        Assert.Equal(ErrorCode.UnknownTopicOrPartition, await CommitAsync(member, joined.MemberId, joined.Generation, "no-such-topic", 0, 1));

        Assert.Equal(ErrorCode.None, await SyncAsync(member, joined.MemberId, joined.Generation));
        Assert.Equal(ErrorCode.None, await HeartbeatAsync(member, joined.MemberId, joined.Generation));
        Assert.Equal(ErrorCode.None, await CommitAsync(member, joined.MemberId, joined.Generation, Topic, 1, 42));
        Assert.Equal(42, await FetchCommittedAsync(stranger, 1));
        Assert.Equal(-1, await FetchCommittedAsync(stranger, 0));

        // AlterConsumerGroupOffsets' form of commit (generation -1, no member) is refused while the group is active.
        Assert.Equal(ErrorCode.UnknownMemberId, await CommitAsync(stranger, "", -1, Topic, 0, 1));
    }
}
