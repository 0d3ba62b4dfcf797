using Confluent.Kafka;
using Streams.Broker.Tests.Support;
using Xunit.Abstractions;

namespace Streams.Broker.Tests.Groups;

/// <summary>Incremental (cooperative-sticky) rebalancing: the broker runs the plain protocol, the clients do the rest.</summary>
public sealed class CooperativeStickyTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const string Topic = "sticky";
    private TestBroker _broker = null!;

    public async Task InitializeAsync()
    {
        _broker = await TestBroker.StartAsync(output);
        await Clients.CreateTopicAsync(_broker.BootstrapServers, Topic, partitions: 6);
    }

    public async Task DisposeAsync() => await _broker.DisposeAsync();

    private GroupConsumer Start(string name) =>
        GroupConsumer.Start(_broker.BootstrapServers, "cooperative", Topic, name, configure: c => c.PartitionAssignmentStrategy = PartitionAssignmentStrategy.CooperativeSticky);

    [Fact]
    public async Task A_joining_member_takes_over_only_the_partitions_it_gets_and_the_others_keep_theirs()
    {
        using var a = Start("a");
        using var b = Start("b");
        await GroupWait.UntilAsync(() => a.CurrentAssignment().Count == 3 && b.CurrentAssignment().Count == 3, "a and b own three partitions each");
        await GroupTopics.ProduceAsync(_broker.BootstrapServers, Topic, 6, 60, "before");
        await GroupWait.UntilAsync(() => a.ReceivedCount + b.ReceivedCount >= 60, "the first 60 are consumed");
        var (ownedByA, ownedByB) = (a.CurrentAssignment(), b.CurrentAssignment());
        var (revokedA, revokedB) = (a.Read(c => c.Revoked.Count), b.Read(c => c.Revoked.Count));

        using var c = Start("c");
        await GroupWait.UntilAsync(() => a.CurrentAssignment().Count == 2 && b.CurrentAssignment().Count == 2 && c.CurrentAssignment().Count == 2, "each of the three owns two partitions");

        var newlyRevokedA = a.Read(x => x.Revoked.Skip(revokedA).SelectMany(p => p).ToList());
        var newlyRevokedB = b.Read(x => x.Revoked.Skip(revokedB).SelectMany(p => p).ToList());
        var ofC = c.CurrentAssignment();
        Assert.Equal(newlyRevokedA.Concat(newlyRevokedB).ToHashSet(), ofC);
        Assert.Subset(ownedByA, a.CurrentAssignment());
        Assert.Subset(ownedByB, b.CurrentAssignment());

        var values = await GroupTopics.ProduceAsync(_broker.BootstrapServers, Topic, 6, 60, "after");
        var all = () => new[] { a, b, c }.SelectMany(x => x.Read(y => y.Received.Select(r => r.Message.Value).ToList())).ToHashSet();
        await GroupWait.UntilAsync(() => values.All(all().Contains), "the members read the messages produced after the rebalance");
        c.Close();
        a.Close();
        b.Close();
    }
}
