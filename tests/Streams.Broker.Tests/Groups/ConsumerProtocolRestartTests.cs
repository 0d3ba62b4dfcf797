using Streams.Broker.Tests.Support;
using Xunit.Abstractions;

namespace Streams.Broker.Tests.Groups;

/// <summary>
/// Real librdkafka consumers (<c>GroupProtocol = Consumer</c>) across a broker restart: the group's state comes back
/// from <c>__consumer_offsets</c>, so the members heartbeat on with the same member ids and epochs, lose no partition
/// and read every record exactly once. The clients reach the broker through a proxy on a fixed port, since the
/// restarted broker listens on a new one.
/// </summary>
public sealed class ConsumerProtocolRestartTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const string Topic = "kip848-restart";
    private const string Group = "restart";
    private readonly NetworkPartitionProxy _proxy = new();
    private TestBroker _broker = null!;

    private string Bootstrap => $"127.0.0.1:{_proxy.Port}";

    public async Task InitializeAsync()
    {
        _broker = await TestBroker.StartAsync(output, new Dictionary<string, string> { ["group.consumer.heartbeat.interval.ms"] = "500" }, advertisedPort: _proxy.Port);
        _proxy.Start(_broker.Broker.Port);
        await Clients.CreateTopicAsync(_broker.BootstrapServers, Topic, partitions: 4);
    }

    public async Task DisposeAsync()
    {
        await _proxy.DisposeAsync();
        await _broker.DisposeAsync();
    }

    private List<(string MemberId, int Epoch)> Members() =>
        [.. _broker.Broker.Context.Groups.DescribeConsumerGroup(Group)!.Members.Select(m => (m.MemberId, m.MemberEpoch)).Order()];

    [Fact]
    public async Task Members_keep_their_ids_epochs_and_partitions_across_a_broker_restart_and_read_every_record_once()
    {
        using var a = GroupConsumer.Start(Bootstrap, Group, Topic, "a", configure: c => ConsumerProtocolTests.UseConsumerProtocol(c));
        using var b = GroupConsumer.Start(Bootstrap, Group, Topic, "b", configure: c => ConsumerProtocolTests.UseConsumerProtocol(c));
        await GroupWait.UntilAsync(() => a.CurrentAssignment().Count == 2 && b.CurrentAssignment().Count == 2, "a and b own two partitions each");
        var values = await GroupTopics.ProduceAsync(Bootstrap, Topic, 4, 100, "before");
        await GroupWait.UntilAsync(() => a.ReceivedCount + b.ReceivedCount >= 100, "the first 100 are consumed");
        await GroupWait.UntilAsync(() => _broker.Broker.Context.Groups.DescribeConsumerGroup(Group)!.State == "Stable", "the group is stable");
        var before = Members();
        var revocations = (a.Read(c => c.Revoked.Count), b.Read(c => c.Revoked.Count));

        await _broker.RestartAsync();
        _proxy.Retarget(_broker.Broker.Port);
        Assert.Equal(before, Members());

        values.AddRange(await GroupTopics.ProduceAsync(Bootstrap, Topic, 4, 100, "after"));
        await GroupWait.UntilAsync(() => a.ReceivedCount + b.ReceivedCount >= 200, "the next 100 are consumed after the restart", timeoutSeconds: 60);

        Assert.Equal(before, Members());
        Assert.Equal(revocations, (a.Read(c => c.Revoked.Count), b.Read(c => c.Revoked.Count)));
        var received = new[] { a, b }.SelectMany(x => x.Read(y => y.Received.Select(r => r.Message.Value).ToList())).ToList();
        Assert.Equal(values.Order(), received.Order());
        a.Close();
        b.Close();
    }
}
