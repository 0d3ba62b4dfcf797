using Streams.Broker.Tests.Support;
using Xunit.Abstractions;

namespace Streams.Broker.Tests.Groups;

/// <summary>Static membership (group.instance.id, KIP-345): a restart within the session timeout is not a rebalance.</summary>
public sealed class StaticMembershipTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const string Topic = "static";
    private TestBroker _broker = null!;

    public async Task InitializeAsync()
    {
        _broker = await TestBroker.StartAsync(output);
        await Clients.CreateTopicAsync(_broker.BootstrapServers, Topic, partitions: 6);
    }

    public async Task DisposeAsync() => await _broker.DisposeAsync();

    private GroupConsumer Start(string instance) =>
        GroupConsumer.Start(_broker.BootstrapServers, "static-group", Topic, instance, configure: c => c.GroupInstanceId = instance);

    [Fact]
    public async Task A_static_member_restarted_within_the_session_timeout_gets_its_partitions_back_without_a_rebalance()
    {
        using var a = Start("instance-a");
        using var b = Start("instance-b");
        var c = Start("instance-c");
        await GroupWait.UntilAsync(() => new[] { a, b, c }.All(x => x.CurrentAssignment().Count == 2), "each instance owns two partitions");
        var ownedByC = c.CurrentAssignment();
        var (revokedA, revokedB) = (a.Read(x => x.Revoked.Count), b.Read(x => x.Revoked.Count));
        var (assignedA, assignedB) = (a.Read(x => x.Assigned.Count), b.Read(x => x.Assigned.Count));

        // Static members do not send LeaveGroup on close: the broker keeps the slot for the session timeout.
        c.Close();
        using var restarted = Start("instance-c");
        await GroupWait.UntilAsync(() => restarted.CurrentAssignment().Count == 2, "the restarted instance owns two partitions", timeoutSeconds: 5);

        Assert.Equal(ownedByC, restarted.CurrentAssignment());
        await Task.Delay(1500);
        Assert.Equal(revokedA, a.Read(x => x.Revoked.Count));
        Assert.Equal(revokedB, b.Read(x => x.Revoked.Count));
        Assert.Equal(assignedA, a.Read(x => x.Assigned.Count));
        Assert.Equal(assignedB, b.Read(x => x.Assigned.Count));

        var values = await GroupTopics.ProduceAsync(_broker.BootstrapServers, Topic, 6, 60);
        await GroupWait.UntilAsync(() => a.ReceivedCount + b.ReceivedCount + restarted.ReceivedCount >= 60, "all 60 are consumed");
    }
}
