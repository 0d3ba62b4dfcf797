using Streams.Broker.Tests.Support;
using Xunit.Abstractions;

namespace Streams.Broker.Tests.Groups;

/// <summary>A member that dies without leaving is removed by the session timeout; its partitions move on.</summary>
public sealed class SessionTimeoutTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const string Topic = "payments";
    private readonly NetworkPartitionProxy _proxy = new();
    private TestBroker _broker = null!;

    public async Task InitializeAsync()
    {
        _broker = await TestBroker.StartAsync(output, advertisedPort: _proxy.Port);
        _proxy.Start(_broker.Broker.Port);
        await Clients.CreateTopicAsync(_broker.BootstrapServers, Topic, partitions: 4);
    }

    public async Task DisposeAsync()
    {
        await _proxy.DisposeAsync();
        await _broker.DisposeAsync();
    }

    [Fact]
    public async Task A_killed_member_is_removed_after_its_session_timeout_and_nothing_is_lost()
    {
        var bootstrap = $"127.0.0.1:{_proxy.Port}";
        using var survivor = GroupConsumer.Start(bootstrap, "crash", Topic, "survivor", commitEvery: 1);
        var victim = GroupConsumer.Start(bootstrap, "crash", Topic, "victim", commitEvery: 7);
        await GroupWait.UntilAsync(() => survivor.CurrentAssignment().Count == 2 && victim.CurrentAssignment().Count == 2, "each member owns two partitions");

        var first = await GroupTopics.ProduceAsync(bootstrap, Topic, 4, 200, "first");
        await GroupWait.UntilAsync(() => survivor.ReceivedCount + victim.ReceivedCount >= 200, "the first 200 are consumed");
        victim.StopPolling();
        var uncommitted = victim.Read(c => c.Consumed.Sum(p => p.Value - c.Committed.GetValueOrDefault(p.Key)));

        // The process "dies": its connections drop and it never reaches the broker again, so no LeaveGroup.
        var killedAt = DateTime.UtcNow;
        _proxy.Cut("victim");
        await GroupWait.UntilAsync(() => survivor.CurrentAssignment().Count == 4, "the survivor owns all four partitions", timeoutSeconds: 20);
        var takeover = DateTime.UtcNow - killedAt;
        output.WriteLine($"takeover after {takeover.TotalMilliseconds:F0} ms, uncommitted by the victim: {uncommitted}");
        Assert.InRange(takeover.TotalSeconds, 5, 12);

        var second = await GroupTopics.ProduceAsync(bootstrap, Topic, 4, 200, "second");
        var expected = first.Concat(second).ToHashSet();
        var seen = () => survivor.Read(c => c.Received.Select(r => r.Message.Value).ToList()).Concat(victim.Read(c => c.Received.Select(r => r.Message.Value).ToList())).ToList();
        await GroupWait.UntilAsync(() => expected.IsSubsetOf(seen()), "every message is consumed at least once");

        var duplicates = seen().Count - expected.Count;
        Assert.InRange(duplicates, 0, uncommitted);
        _ = Task.Run(victim.Dispose);
    }
}
