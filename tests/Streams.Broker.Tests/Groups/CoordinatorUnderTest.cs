using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Streams.Broker.Configs;
using Streams.Broker.Groups;
using Streams.Broker.Protocol;
using Streams.Broker.Storage;
using Streams.Broker.Tests.Storage;

namespace Streams.Broker.Tests.Groups;

/// <summary>
/// A group coordinator over a real log directory but no broker, no socket and no timer: time is a
/// <see cref="FakeTimeProvider"/>, and deadlines are checked only when a test calls <see cref="Advance"/>.
/// </summary>
internal sealed class CoordinatorUnderTest : IAsyncDisposable
{
    public const string Group = "billing";
    public const string Topic = "orders";
    public const int SessionTimeoutMs = 10_000;
    public const int RebalanceTimeoutMs = 5_000;

    private readonly TempDirectory _directory = new();
    private bool _stopped;

    public CoordinatorUnderTest(params (string Name, string Value)[] settings)
    {
        Config = new BrokerConfig(0, settings.ToDictionary(s => s.Name, s => s.Value));
        Logs = new LogManager(_directory.Path, Config, NullLoggerFactory.Instance, Time);
        Logs.Load();
        Assert.Equal(ErrorCode.None, Logs.CreateTopic(Topic, 3, new Dictionary<string, string?>(), validateOnly: false).Error);
        Coordinator = NewCoordinator();
        Coordinator.Restore();
    }

    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));

    public BrokerConfig Config { get; }

    public LogManager Logs { get; }

    public GroupCoordinator Coordinator { get; private set; }

    private GroupCoordinator NewCoordinator() => new(Config, Logs, NullLoggerFactory.Instance, Time);

    public static JoinRequest Request(
        string memberId = "",
        string? groupInstanceId = null,
        string protocolType = ConsumerProtocol.ProtocolType,
        string[]? protocols = null,
        int sessionTimeoutMs = SessionTimeoutMs,
        int rebalanceTimeoutMs = RebalanceTimeoutMs,
        bool requireKnownMemberId = false,
        string group = Group,
        byte subscription = 1) =>
        new(group, memberId, groupInstanceId, protocolType,
            [.. (protocols ?? ["range"]).Select(p => new GroupProtocol(p, [subscription]))],
            sessionTimeoutMs, rebalanceTimeoutMs, "client", "/127.0.0.1", requireKnownMemberId);

    public Task<JoinResult> JoinAsync(JoinRequest request) => Coordinator.JoinAsync(request);

    /// <summary>Joins a new member; the join phase must end at once (nobody else to wait for).</summary>
    public async Task<JoinResult> JoinNewAsync(string? groupInstanceId = null)
    {
        var join = Coordinator.JoinAsync(Request(groupInstanceId: groupInstanceId));
        Assert.True(join.IsCompleted, "the join phase should end without waiting");
        var result = await join;
        Assert.Equal(ErrorCode.None, result.Error);
        return result;
    }

    public Task<SyncResult> SyncAsync(JoinResult joined, params (string MemberId, byte[] Assignment)[] assignments) =>
        Coordinator.SyncAsync(Group, joined.GenerationId, joined.MemberId, null, assignments);

    /// <summary>A group with one member, through join and sync, now Stable.</summary>
    public async Task<JoinResult> StableSingleMemberAsync()
    {
        var joined = await JoinNewAsync();
        var synced = await SyncAsync(joined, (joined.MemberId, [7]));
        Assert.Equal(ErrorCode.None, synced.Error);
        Assert.Equal(nameof(GroupState.Stable), State());
        return joined;
    }

    public ErrorCode Heartbeat(JoinResult member, int? generationId = null) =>
        Coordinator.Heartbeat(Group, generationId ?? member.GenerationId, member.MemberId, null);

    public string State(string group = Group) => Coordinator.DescribeGroup(group).State;

    /// <summary>Moves the clock and runs one tick of the coordinator's deadline loop.</summary>
    public void Advance(int milliseconds)
    {
        Time.Advance(TimeSpan.FromMilliseconds(milliseconds));
        Coordinator.CheckDeadlines();
    }

    public ErrorCode[] Commit(string group, int generationId, string memberId, params (int Partition, long Offset)[] offsets) =>
        Coordinator.CommitOffsets(group, generationId, memberId, null, [.. offsets.Select(o => new OffsetCommitEntry(Topic, o.Partition, o.Offset, -1, null))]);

    public long? Committed(string group, int partition) =>
        Coordinator.FetchOffsets(group, [new TopicPartition(Topic, partition)]).Single().Offset?.Offset;

    /// <summary>A broker restart as the coordinator sees it: a new instance replays <c>__consumer_offsets</c>.</summary>
    public async Task RestartAsync()
    {
        await Coordinator.DisposeAsync();
        Coordinator = NewCoordinator();
        Coordinator.Restore();
    }

    /// <summary>Broker shutdown as the coordinator sees it.</summary>
    public async Task StopAsync()
    {
        if (!_stopped)
        {
            _stopped = true;
            await Coordinator.DisposeAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        Logs.Dispose();
        _directory.Dispose();
    }
}
