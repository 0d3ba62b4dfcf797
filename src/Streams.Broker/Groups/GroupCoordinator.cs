using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Streams.Broker.Configs;
using Streams.Broker.Protocol;
using Streams.Broker.Storage;

namespace Streams.Broker.Groups;

/// <summary>
/// The classic consumer-group coordinator, as Kafka's GroupCoordinator runs it: member ids, generations, leader
/// election, protocol selection, rebalance/session/pending-sync timeouts and static membership. Requests on many
/// connections run concurrently; each group is guarded by its own lock, held only for in-memory work (and the
/// synchronous append of its records), never across an await. Parked JoinGroup/SyncGroup requests are task
/// completion sources their handlers await. Deadlines are checked by one loop every 100 ms.
/// This file holds membership; offsets and group administration are in the other parts of this partial class.
/// </summary>
internal sealed partial class GroupCoordinator : IAsyncDisposable
{
    /// <summary>Kafka's NewMemberJoinTimeoutMs: how long a member's first parked JoinGroup may wait.</summary>
    private const long NewMemberJoinTimeoutMs = 300_000;

    private static readonly TimeSpan TickInterval = TimeSpan.FromMilliseconds(100);

    private readonly ConcurrentDictionary<string, ConsumerGroup> _groups = new(StringComparer.Ordinal);
    private readonly OffsetStore _store;
    private readonly LogManager _logs;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly CancellationTokenSource _stopping = new();
    private readonly int _minSessionTimeoutMs;
    private readonly int _maxSessionTimeoutMs;
    private readonly int _initialRebalanceDelayMs;
    private readonly int _maxGroupSize;
    private readonly int _maxMetadataBytes;
    private readonly long _retentionMs;
    private readonly long _retentionCheckIntervalMs;
    private readonly int _consumerSessionTimeoutMs;
    private readonly int _consumerHeartbeatIntervalMs;
    private readonly string[] _consumerAssignors;
    private Task _loop = Task.CompletedTask;
    private long _nextRetentionCheckMs;

    public GroupCoordinator(BrokerConfig config, LogManager logs, ILoggerFactory loggerFactory, TimeProvider time)
    {
        _logs = logs;
        _time = time;
        _logger = loggerFactory.CreateLogger<GroupCoordinator>();
        _store = new OffsetStore(logs, loggerFactory.CreateLogger<OffsetStore>(), time);
        _minSessionTimeoutMs = config.GroupMinSessionTimeoutMs;
        _maxSessionTimeoutMs = config.GroupMaxSessionTimeoutMs;
        _initialRebalanceDelayMs = config.GroupInitialRebalanceDelayMs;
        _maxGroupSize = config.GroupMaxSize;
        _consumerSessionTimeoutMs = config.GroupConsumerSessionTimeoutMs;
        _consumerHeartbeatIntervalMs = config.GroupConsumerHeartbeatIntervalMs;
        _consumerAssignors = config.GroupConsumerAssignors;
        _maxMetadataBytes = config.OffsetMetadataMaxBytes;
        _retentionMs = config.OffsetsRetentionMs;
        _retentionCheckIntervalMs = Math.Max(10, config.OffsetsRetentionCheckIntervalMs);
    }

    private long Now => _time.GetUtcNow().ToUnixTimeMilliseconds();

    /// <summary>Creates <c>__consumer_offsets</c> as the coordinator would on its first write.</summary>
    public void EnsureOffsetsTopic() => _store.EnsureCreated();

    /// <summary>Restores committed offsets and group generations from <c>__consumer_offsets</c>, then starts the deadline loop.</summary>
    public void Start()
    {
        Restore();
        _loop = Task.Run(() => RunAsync(_stopping.Token));
    }

    /// <summary>The replay half of <see cref="Start"/>; tests call it alone and drive the deadlines themselves.</summary>
    internal void Restore()
    {
        var now = Now;
        _nextRetentionCheckMs = now + _retentionCheckIntervalMs;
        foreach (var (groupId, loaded) in _store.Load())
        {
            if (loaded.Offsets.Count == 0 && loaded.Metadata is null && loaded.ConsumerRecords.Count == 0)
            {
                continue;
            }

            var group = new ConsumerGroup(groupId, now);
            if (loaded.ConsumerRecords.Count > 0)
            {
                // A KIP-848 group comes back with its epochs, members and assignments; members heartbeat on.
                RestoreConsumerGroup(group, loaded.ConsumerRecords, now);
            }
            else if (loaded.Metadata is { } metadata)
            {
                // Members are not restored (they rejoin), so a group that had members became Empty just now.
                group.Restore(
                    metadata.ProtocolType.Length == 0 ? null : metadata.ProtocolType,
                    metadata.GenerationId,
                    metadata.MemberCount == 0 && metadata.StateTimestampMs > 0 ? metadata.StateTimestampMs : now);
            }

            foreach (var (partition, offset) in loaded.Offsets)
            {
                group.Offsets[partition] = offset;
            }

            _groups[groupId] = group;
        }
    }

    private ConsumerGroup GetOrCreate(string groupId) => _groups.GetOrAdd(groupId, id => new ConsumerGroup(id, Now));

    private static TaskCompletionSource<T> NewParked<T>() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Removes a group for good. Called under its lock, so anyone who still holds it sees Dead and looks again.</summary>
    private void MarkDead(ConsumerGroup group)
    {
        group.TransitionTo(GroupState.Dead, Now);
        _groups.TryRemove(new KeyValuePair<string, ConsumerGroup>(group.GroupId, group));
        PersistConsumerGroup(group);
    }

    private static ErrorCode ValidateMember(ConsumerGroup group, string memberId, string? groupInstanceId)
    {
        if (groupInstanceId is not null && group.StaticMembers.TryGetValue(groupInstanceId, out var current) && current != memberId)
        {
            return ErrorCode.FencedInstanceId;
        }

        return group.Members.ContainsKey(memberId) ? ErrorCode.None : ErrorCode.UnknownMemberId;
    }

    public Task<JoinResult> JoinAsync(JoinRequest request)
    {
        if (request.GroupId.Length == 0 || !IsStorableGroupId(request.GroupId))
        {
            return Task.FromResult(JoinResult.Failed(ErrorCode.InvalidGroupId, request.MemberId));
        }

        if (request.SessionTimeoutMs < _minSessionTimeoutMs || request.SessionTimeoutMs > _maxSessionTimeoutMs)
        {
            return Task.FromResult(JoinResult.Failed(ErrorCode.InvalidSessionTimeout, request.MemberId));
        }

        while (true)
        {
            var group = request.MemberId.Length == 0 ? GetOrCreate(request.GroupId) : _groups.GetValueOrDefault(request.GroupId);
            if (group is null)
            {
                return Task.FromResult(JoinResult.Failed(ErrorCode.UnknownMemberId, request.MemberId));
            }

            lock (group.Lock)
            {
                if (!group.Is(GroupState.Dead))
                {
                    return Join(group, request, Now);
                }
            }
        }
    }

    private Task<JoinResult> Join(ConsumerGroup group, JoinRequest request, long now)
    {
        var memberId = request.MemberId;
        if (group.Modern is { } modern)
        {
            // A consumer group with members cannot take classic members; an empty one is given back to the classic protocol.
            if (modern.Members.Count > 0)
            {
                return Task.FromResult(JoinResult.Failed(ErrorCode.InconsistentGroupProtocol, memberId));
            }

            group.LeaveModern();
            PersistConsumerGroup(group);
        }

        if (!group.SupportsProtocols(request.ProtocolType, request.Protocols, memberId))
        {
            return Task.FromResult(JoinResult.Failed(ErrorCode.InconsistentGroupProtocol, memberId));
        }

        if (memberId.Length == 0)
        {
            if (group.Members.Count + group.PendingMembers.Count >= _maxGroupSize)
            {
                return Task.FromResult(JoinResult.Failed(ErrorCode.GroupMaxSizeReached));
            }

            if (request.GroupInstanceId is { } instanceId)
            {
                // Static members are never asked for a member id: the instance id already identifies them.
                var staticId = instanceId + "-" + Guid.NewGuid().ToString();
                return group.StaticMembers.TryGetValue(instanceId, out var oldId) && group.Members.TryGetValue(oldId, out var known)
                    ? RejoinStaticMember(group, known, staticId, request, now)
                    : AddMemberAndRebalance(group, staticId, request, now);
            }

            var newId = request.ClientId + "-" + Guid.NewGuid().ToString();
            if (request.RequireKnownMemberId)
            {
                // KIP-394: the id is only admitted once the client proves it kept it, so retried joins leave no ghosts.
                group.PendingMembers[newId] = now + request.SessionTimeoutMs;
                return Task.FromResult(JoinResult.Failed(ErrorCode.MemberIdRequired, newId));
            }

            return AddMemberAndRebalance(group, newId, request, now);
        }

        if (group.PendingMembers.Remove(memberId))
        {
            return AddMemberAndRebalance(group, memberId, request, now);
        }

        var error = ValidateMember(group, memberId, request.GroupInstanceId);
        if (error != ErrorCode.None)
        {
            return Task.FromResult(JoinResult.Failed(error, memberId));
        }

        var member = group.Members[memberId];
        switch (group.State)
        {
            case GroupState.PreparingRebalance:
                return UpdateMemberAndRebalance(group, member, request, now, "member rejoined");
            case GroupState.CompletingRebalance when member.Matches(request.Protocols):
                // A retried JoinGroup whose response was lost: answer with the generation it already joined.
                member.SessionDeadlineMs = now + member.SessionTimeoutMs;
                return Task.FromResult(CurrentGeneration(group, member.MemberId, group.LeaderId));
            case GroupState.CompletingRebalance:
                return UpdateMemberAndRebalance(group, member, request, now, "member changed its subscription");
            case GroupState.Stable when memberId == group.LeaderId || !member.Matches(request.Protocols):
                return UpdateMemberAndRebalance(group, member, request, now, memberId == group.LeaderId ? "leader rejoined" : "member changed its subscription");
            case GroupState.Stable:
                member.SessionDeadlineMs = now + member.SessionTimeoutMs;
                return Task.FromResult(CurrentGeneration(group, member.MemberId, group.LeaderId));
            default:
                return Task.FromResult(JoinResult.Failed(ErrorCode.UnknownMemberId, memberId));
        }
    }

    private static JoinResult CurrentGeneration(ConsumerGroup group, string memberId, string? leaderId) =>
        new(ErrorCode.None, group.GenerationId, group.ProtocolName, leaderId ?? string.Empty, memberId, memberId == leaderId ? MemberList(group) : []);

    private static List<JoinedMember> MemberList(ConsumerGroup group) =>
        [.. group.Members.Values.Select(m => new JoinedMember(m.MemberId, m.GroupInstanceId, m.MetadataFor(group.ProtocolName) ?? []))];

    private Task<JoinResult> AddMemberAndRebalance(ConsumerGroup group, string memberId, JoinRequest request, long now)
    {
        var parked = NewParked<JoinResult>();
        var member = new GroupMember(memberId, request.GroupInstanceId, request.ClientId, request.ClientHost, request.SessionTimeoutMs, request.RebalanceTimeoutMs, request.Protocols)
        {
            IsNew = true,
            SessionDeadlineMs = now + NewMemberJoinTimeoutMs,
            AwaitingJoin = parked,
        };
        group.Add(member, request.ProtocolType);
        group.ExtendInitialDelay(now, _initialRebalanceDelayMs);

        LogMemberAdded(_logger, group.GroupId, memberId, request.GroupInstanceId, group.State);
        MaybePrepareRebalance(group, now, "member joined");
        return parked.Task;
    }

    private Task<JoinResult> UpdateMemberAndRebalance(ConsumerGroup group, GroupMember member, JoinRequest request, long now, string reason)
    {
        member.Protocols = request.Protocols;
        member.SessionTimeoutMs = request.SessionTimeoutMs;
        member.RebalanceTimeoutMs = request.RebalanceTimeoutMs;
        member.CompleteJoin(JoinResult.Failed(ErrorCode.RebalanceInProgress, member.MemberId));
        var parked = NewParked<JoinResult>();
        member.AwaitingJoin = parked;
        MaybePrepareRebalance(group, now, reason);
        return parked.Task;
    }

    /// <summary>
    /// A restarted static member takes over its instance's slot under a new member id. In a Stable group whose
    /// protocol would not change there is no rebalance: it gets the current generation and, at SyncGroup, its old
    /// assignment. The leader id returned is the one from before the swap, so a rejoining leader does not mistake
    /// itself for the leader and reassign a Stable group nobody would hear about.
    /// </summary>
    private Task<JoinResult> RejoinStaticMember(ConsumerGroup group, GroupMember member, string newMemberId, JoinRequest request, long now)
    {
        var oldMemberId = member.MemberId;
        var leaderBefore = group.LeaderId;
        member.CompleteJoin(JoinResult.Failed(ErrorCode.FencedInstanceId, oldMemberId));
        member.CompleteSync(SyncResult.Failed(ErrorCode.FencedInstanceId));
        group.ReplaceStaticMember(member, newMemberId);
        member.ClientId = request.ClientId;
        member.ClientHost = request.ClientHost;
        LogStaticMemberReplaced(_logger, group.GroupId, request.GroupInstanceId!, oldMemberId, newMemberId);

        if (group.Is(GroupState.Stable))
        {
            var previous = (member.Protocols, member.SessionTimeoutMs, member.RebalanceTimeoutMs);
            member.Protocols = request.Protocols;
            if (group.SelectProtocol() == group.ProtocolName)
            {
                member.SessionTimeoutMs = request.SessionTimeoutMs;
                member.RebalanceTimeoutMs = request.RebalanceTimeoutMs;
                member.SessionDeadlineMs = now + member.SessionTimeoutMs;
                return Task.FromResult(new JoinResult(ErrorCode.None, group.GenerationId, group.ProtocolName, leaderBefore ?? string.Empty, newMemberId, []));
            }

            (member.Protocols, member.SessionTimeoutMs, member.RebalanceTimeoutMs) = previous;
        }

        return UpdateMemberAndRebalance(group, member, request, now, "static member rejoined");
    }

    private void MaybePrepareRebalance(ConsumerGroup group, long now, string reason)
    {
        if (group.State is GroupState.Stable or GroupState.CompletingRebalance or GroupState.Empty)
        {
            PrepareRebalance(group, now, reason);
        }

        TryCompleteJoin(group, now);
    }

    private void PrepareRebalance(ConsumerGroup group, long now, string reason)
    {
        if (group.Is(GroupState.CompletingRebalance))
        {
            // The assignment being distributed is void: followers waiting for it must rejoin.
            foreach (var member in group.Members.Values)
            {
                member.Assignment = [];
                member.CompleteSync(SyncResult.Failed(ErrorCode.RebalanceInProgress));
            }
        }

        group.PrepareRebalance(now, _initialRebalanceDelayMs);
        LogRebalanceStarted(_logger, group.GroupId, group.GenerationId, reason);
    }

    private void TryCompleteJoin(ConsumerGroup group, long now)
    {
        if (group.Is(GroupState.PreparingRebalance) && !group.InInitialDelay && group.AllMembersJoined)
        {
            CompleteJoin(group, now);
        }
    }

    /// <summary>The join phase ends: drop dynamic members that did not rejoin, start the next generation, answer every parked JoinGroup.</summary>
    private void CompleteJoin(ConsumerGroup group, long now)
    {
        foreach (var member in group.Members.Values.Where(m => m.AwaitingJoin is null && !m.IsStatic).ToList())
        {
            LogMemberRemoved(_logger, group.GroupId, member.MemberId, "it did not rejoin within the rebalance timeout");
            member.CompleteSync(SyncResult.Failed(ErrorCode.UnknownMemberId));
            group.Remove(member.MemberId);
        }

        if (group.StartNextGeneration(now) is not { } leaderId)
        {
            PersistGroup(group);
            LogGroupEmpty(_logger, group.GroupId, group.GenerationId);
            return;
        }

        var members = MemberList(group);
        foreach (var member in group.Members.Values.Where(m => m.AwaitingJoin is not null))
        {
            member.IsNew = false;
            member.SessionDeadlineMs = now + member.SessionTimeoutMs;
            member.CompleteJoin(new JoinResult(ErrorCode.None, group.GenerationId, group.ProtocolName, leaderId, member.MemberId, member.MemberId == leaderId ? members : []));
        }

        LogGenerationStarted(_logger, group.GroupId, group.GenerationId, group.ProtocolName, leaderId, group.Members.Count);
    }

    private void RemoveMemberAndUpdateGroup(ConsumerGroup group, GroupMember member, long now, string reason)
    {
        LogMemberRemoved(_logger, group.GroupId, member.MemberId, reason);
        member.CompleteJoin(JoinResult.Failed(ErrorCode.UnknownMemberId, member.MemberId));
        member.CompleteSync(SyncResult.Failed(ErrorCode.UnknownMemberId));
        group.Remove(member.MemberId);
        switch (group.State)
        {
            case GroupState.Stable or GroupState.CompletingRebalance:
                MaybePrepareRebalance(group, now, "member left: " + reason);
                break;
            case GroupState.PreparingRebalance:
                TryCompleteJoin(group, now);
                break;
        }
    }

    public Task<SyncResult> SyncAsync(string groupId, int generationId, string memberId, string? groupInstanceId, IReadOnlyList<(string MemberId, byte[] Assignment)> assignments)
    {
        if (groupId.Length == 0)
        {
            return Task.FromResult(SyncResult.Failed(ErrorCode.InvalidGroupId));
        }

        var group = _groups.GetValueOrDefault(groupId);
        if (group is null)
        {
            return Task.FromResult(SyncResult.Failed(ErrorCode.UnknownMemberId));
        }

        lock (group.Lock)
        {
            return Sync(group, generationId, memberId, groupInstanceId, assignments, Now);
        }
    }

    private Task<SyncResult> Sync(ConsumerGroup group, int generationId, string memberId, string? groupInstanceId, IReadOnlyList<(string MemberId, byte[] Assignment)> assignments, long now)
    {
        if (group.Is(GroupState.Dead))
        {
            return Task.FromResult(SyncResult.Failed(ErrorCode.CoordinatorNotAvailable));
        }

        var error = ValidateMember(group, memberId, groupInstanceId);
        if (error == ErrorCode.None && generationId != group.GenerationId)
        {
            error = ErrorCode.IllegalGeneration;
        }

        if (error != ErrorCode.None)
        {
            return Task.FromResult(SyncResult.Failed(error));
        }

        var member = group.Members[memberId];
        switch (group.State)
        {
            case GroupState.PreparingRebalance:
                return Task.FromResult(SyncResult.Failed(ErrorCode.RebalanceInProgress));
            case GroupState.Stable:
                group.PendingSync.Remove(memberId);
                member.SessionDeadlineMs = now + member.SessionTimeoutMs;
                return Task.FromResult(new SyncResult(ErrorCode.None, member.Assignment));
            case GroupState.CompletingRebalance:
                member.CompleteSync(SyncResult.Failed(ErrorCode.RebalanceInProgress));
                var parked = NewParked<SyncResult>();
                member.AwaitingSync = parked;
                member.SessionDeadlineMs = now + member.SessionTimeoutMs;
                group.PendingSync.Remove(memberId);
                if (memberId == group.LeaderId)
                {
                    CompleteSync(group, assignments, now);
                }

                return parked.Task;
            default:
                return Task.FromResult(SyncResult.Failed(ErrorCode.UnknownMemberId));
        }
    }

    /// <summary>The leader's assignment arrived: the group is Stable and every parked SyncGroup gets its member's share.</summary>
    private void CompleteSync(ConsumerGroup group, IReadOnlyList<(string MemberId, byte[] Assignment)> assignments, long now)
    {
        var byMember = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var (memberId, assignment) in assignments)
        {
            byMember[memberId] = assignment;
        }

        foreach (var member in group.Members.Values)
        {
            member.Assignment = byMember.GetValueOrDefault(member.MemberId) ?? [];
        }

        group.TransitionTo(GroupState.Stable, now);
        PersistGroup(group);
        foreach (var member in group.Members.Values)
        {
            member.SessionDeadlineMs = now + member.SessionTimeoutMs;
            member.CompleteSync(new SyncResult(ErrorCode.None, member.Assignment));
        }

        LogGroupStable(_logger, group.GroupId, group.GenerationId, group.Members.Count);
    }

    public ErrorCode Heartbeat(string groupId, int generationId, string memberId, string? groupInstanceId)
    {
        var group = groupId.Length == 0 ? null : _groups.GetValueOrDefault(groupId);
        if (group is null)
        {
            return groupId.Length == 0 ? ErrorCode.InvalidGroupId : ErrorCode.UnknownMemberId;
        }

        lock (group.Lock)
        {
            if (group.Is(GroupState.Dead))
            {
                return ErrorCode.CoordinatorNotAvailable;
            }

            if (group.Is(GroupState.Empty))
            {
                return ErrorCode.UnknownMemberId;
            }

            var error = ValidateMember(group, memberId, groupInstanceId);
            if (error != ErrorCode.None)
            {
                return error;
            }

            var member = group.Members[memberId];
            if (group.Is(GroupState.PreparingRebalance))
            {
                member.SessionDeadlineMs = Now + member.SessionTimeoutMs;
                return ErrorCode.RebalanceInProgress;
            }

            if (generationId != group.GenerationId)
            {
                return ErrorCode.IllegalGeneration;
            }

            member.SessionDeadlineMs = Now + member.SessionTimeoutMs;
            return ErrorCode.None;
        }
    }

    public ErrorCode Leave(string groupId, string memberId, string? groupInstanceId = null)
    {
        var group = groupId.Length == 0 ? null : _groups.GetValueOrDefault(groupId);
        if (group is null)
        {
            return groupId.Length == 0 ? ErrorCode.InvalidGroupId : ErrorCode.UnknownMemberId;
        }

        lock (group.Lock)
        {
            if (group.Is(GroupState.Dead))
            {
                return ErrorCode.CoordinatorNotAvailable;
            }

            // A static member leaves by its instance id (LeaveGroup v3+); a member id given with it must match (Kafka).
            if (groupInstanceId is not null)
            {
                if (!group.StaticMembers.TryGetValue(groupInstanceId, out var registered))
                {
                    return ErrorCode.UnknownMemberId;
                }

                if (memberId.Length > 0 && memberId != registered)
                {
                    return ErrorCode.FencedInstanceId;
                }

                memberId = registered;
            }

            var now = Now;
            if (group.PendingMembers.Remove(memberId))
            {
                TryCompleteJoin(group, now);
                return ErrorCode.None;
            }

            if (!group.Members.TryGetValue(memberId, out var member))
            {
                return ErrorCode.UnknownMemberId;
            }

            RemoveMemberAndUpdateGroup(group, member, now, "it sent LeaveGroup");
            return ErrorCode.None;
        }
    }

    private void PersistGroup(ConsumerGroup group)
    {
        if (!group.IsSimple)
        {
            _store.Append([(OffsetRecords.GroupKey(group.GroupId), OffsetRecords.GroupValue(group))]);
        }
    }

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(TickInterval, _time);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                CheckDeadlines();
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>
    /// One tick of the deadline loop: session, join and sync deadlines of every group, then offset retention when
    /// its interval has passed. Tests call it directly after moving a fake clock, so no timing is involved.
    /// </summary>
    internal void CheckDeadlines()
    {
        var now = Now;
        foreach (var group in _groups.Values)
        {
            try
            {
                lock (group.Lock)
                {
                    CheckDeadlines(group, now);
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogDeadlineCheckFailed(_logger, ex, group.GroupId);
            }
        }

        if (now >= _nextRetentionCheckMs)
        {
            _nextRetentionCheckMs = now + _retentionCheckIntervalMs;
            ExpireOffsets(now);
        }
    }

    private void CheckDeadlines(ConsumerGroup group, long now)
    {
        if (group.Is(GroupState.Dead))
        {
            return;
        }

        if (group.Modern is { } modern)
        {
            CheckConsumerDeadlines(group, modern, now);
            return;
        }

        var expiredPending = group.PendingMembers.Where(p => p.Value <= now).Select(p => p.Key).ToList();
        foreach (var memberId in expiredPending)
        {
            group.PendingMembers.Remove(memberId);
        }

        if (expiredPending.Count > 0)
        {
            TryCompleteJoin(group, now);
        }

        foreach (var member in group.Members.Values.ToList())
        {
            // Waiting in a rebalance counts as alive, except for a new member's first join (it has its own deadline).
            var waiting = !member.IsNew && (member.AwaitingJoin is not null || member.AwaitingSync is not null);
            if (!waiting && member.SessionDeadlineMs <= now && group.Members.ContainsKey(member.MemberId))
            {
                RemoveMemberAndUpdateGroup(group, member, now, member.IsNew ? "its first join timed out" : "its session timed out");
            }
        }

        if (group.Is(GroupState.PreparingRebalance) && now >= group.JoinDeadlineMs)
        {
            CompleteJoin(group, now);
        }

        if (group.State is GroupState.CompletingRebalance or GroupState.Stable && group.PendingSync.Count > 0 && now >= group.SyncDeadlineMs)
        {
            foreach (var memberId in group.PendingSync.ToList())
            {
                if (group.Members.TryGetValue(memberId, out var member))
                {
                    RemoveMemberAndUpdateGroup(group, member, now, "it did not send SyncGroup in time");
                }
            }
        }
    }

    /// <summary>Stops the deadline loop and answers every parked request so no handler waits forever.</summary>
    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        await _loop.ConfigureAwait(false);
        foreach (var group in _groups.Values)
        {
            lock (group.Lock)
            {
                foreach (var member in group.Members.Values)
                {
                    member.CompleteJoin(JoinResult.Failed(ErrorCode.CoordinatorNotAvailable, member.MemberId));
                    member.CompleteSync(SyncResult.Failed(ErrorCode.CoordinatorNotAvailable));
                }
            }
        }

        _stopping.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Group {GroupId}: member {MemberId} (instance {GroupInstanceId}) joined in state {State}")]
    private static partial void LogMemberAdded(ILogger logger, string groupId, string memberId, string? groupInstanceId, GroupState state);

    [LoggerMessage(Level = LogLevel.Information, Message = "Group {GroupId}: static instance {GroupInstanceId} rejoined, member {OldMemberId} replaced by {NewMemberId}")]
    private static partial void LogStaticMemberReplaced(ILogger logger, string groupId, string groupInstanceId, string oldMemberId, string newMemberId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Group {GroupId}: rebalance from generation {GenerationId} started ({Reason})")]
    private static partial void LogRebalanceStarted(ILogger logger, string groupId, int generationId, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Group {GroupId}: generation {GenerationId} with protocol {Protocol}, leader {LeaderId}, {Members} members")]
    private static partial void LogGenerationStarted(ILogger logger, string groupId, int generationId, string? protocol, string leaderId, int members);

    [LoggerMessage(Level = LogLevel.Information, Message = "Group {GroupId}: generation {GenerationId} is stable with {Members} members")]
    private static partial void LogGroupStable(ILogger logger, string groupId, int generationId, int members);

    [LoggerMessage(Level = LogLevel.Information, Message = "Group {GroupId}: empty at generation {GenerationId}")]
    private static partial void LogGroupEmpty(ILogger logger, string groupId, int generationId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Group {GroupId}: removed member {MemberId} because {Reason}")]
    private static partial void LogMemberRemoved(ILogger logger, string groupId, string memberId, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Group {GroupId}: checking deadlines failed")]
    private static partial void LogDeadlineCheckFailed(ILogger logger, Exception exception, string groupId);
}
