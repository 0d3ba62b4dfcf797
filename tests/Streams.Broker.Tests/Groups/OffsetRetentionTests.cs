using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Microsoft.Extensions.Time.Testing;
using Streams.Broker.Tests.Support;
using Xunit.Abstractions;

namespace Streams.Broker.Tests.Groups;

/// <summary>
/// KIP-211 offset retention: an Empty group's committed offsets go <c>offsets.retention.minutes</c> after it became
/// Empty. Retention is counted in whole minutes, so the broker runs on a clock the test moves forward: it ticks
/// along with real time (fetch long polls and session timeouts wait on it) and jumps ahead only while the group
/// has no members, so no session times out because of a jump.
/// </summary>
public sealed class OffsetRetentionTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const string Topic = "fleeting";
    private const string Group = "forgetful";
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private readonly CancellationTokenSource _stopTicking = new();
    private Task _ticking = Task.CompletedTask;
    private TestBroker _broker = null!;

    public async Task InitializeAsync()
    {
        var settings = new Dictionary<string, string>
        {
            ["offsets.retention.minutes"] = "1",
            ["offsets.retention.check.interval.ms"] = "1000",
        };
        _ticking = TickAsync(_stopTicking.Token);
        _broker = await TestBroker.StartAsync(output, settings, time: _time);
        await Clients.CreateTopicAsync(_broker.BootstrapServers, Topic, partitions: 2);
    }

    public async Task DisposeAsync()
    {
        await _broker.DisposeAsync();
        await _stopTicking.CancelAsync();
        await _ticking;
        _stopTicking.Dispose();
    }

    private List<TopicPartition> Partitions => [new(Topic, 0), new(Topic, 1)];

    [Fact]
    public async Task An_empty_groups_offsets_expire_after_the_retention_and_the_group_goes_with_them()
    {
        await GroupTopics.ProduceAsync(_broker.BootstrapServers, Topic, 2, 10);
        using var admin = Clients.Admin(_broker.BootstrapServers);
        var member = GroupConsumer.Start(_broker.BootstrapServers, Group, Topic, "forgetful-a");
        await GroupWait.UntilAsync(() => member.Read(c => c.Committed.Values.Sum()) == 10, "all 10 are committed");
        member.Close();
        Assert.Equal(ConsumerGroupState.Empty, (await admin.DescribeConsumerGroupsAsync([Group])).ConsumerGroupDescriptions[0].State);

        // Most of the retention has passed (and several checks ran): the offsets are still there.
        await AdvanceAsync(TimeSpan.FromSeconds(50));
        Assert.All(await CommittedAsync(admin), o => Assert.Equal(5, o.Value));

        await AdvanceAsync(TimeSpan.FromSeconds(11));
        await GroupWait.UntilAsync(async () => (await CommittedAsync(admin)).All(o => o == Offset.Unset), "the offsets expired");
        Assert.DoesNotContain((await admin.ListConsumerGroupsAsync()).Valid, g => g.GroupId == Group);

        // With nothing committed the next member of the group starts where auto.offset.reset says.
        using var next = GroupConsumer.Start(_broker.BootstrapServers, Group, Topic, "forgetful-b", commitEvery: 0);
        await GroupWait.UntilAsync(() => next.ReceivedCount == 10, "the next member reads everything again");
        next.Close();
    }

    private async Task TickAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            _time.Advance(TimeSpan.FromMilliseconds(20));
            try
            {
                await Task.Delay(20, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>Jumps the broker's clock ahead in one-second steps, as its timers would see real time pass.</summary>
    private async Task AdvanceAsync(TimeSpan by)
    {
        for (var passed = TimeSpan.Zero; passed < by; passed += TimeSpan.FromSeconds(1))
        {
            _time.Advance(TimeSpan.FromSeconds(1));
            await Task.Delay(20);
        }
    }

    private async Task<List<Offset>> CommittedAsync(IAdminClient admin)
    {
        var committed = await admin.ListConsumerGroupOffsetsAsync([new ConsumerGroupTopicPartitions(Group, Partitions)]);
        return [.. committed[0].Partitions.Select(p => p.Offset)];
    }
}
