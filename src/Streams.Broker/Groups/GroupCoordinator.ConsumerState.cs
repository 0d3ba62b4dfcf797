using Microsoft.Extensions.Logging;
using Streams.Broker.Groups.Consumer;
using Streams.Broker.Protocol;

namespace Streams.Broker.Groups;

/// <summary>
/// KIP-848 consumer groups survive a restart as Kafka's do: their group epoch, subscribed topics, target assignment
/// and each member's subscription, epochs and current assignment are records of <c>__consumer_offsets</c>
/// (<see cref="ConsumerGroupRecords"/>), replayed on start, so members keep heartbeating at their epochs instead of
/// being fenced and rejoining. Each change appends only the records that differ from those last written.
/// </summary>
internal sealed partial class GroupCoordinator
{
    private static readonly Dictionary<string, StoredRecord> NoRecords = new(StringComparer.Ordinal);

    /// <summary>
    /// Appends the group's KIP-848 records that changed since the last append (tombstones for those gone: a removed
    /// member, a group deleted or given back to the classic protocol). Called under the group's lock after every change.
    /// A failed append is retried with the next change; until then the coordinator's memory stays authoritative.
    /// </summary>
    private void PersistConsumerGroup(ConsumerGroup group)
    {
        var desired = group.Modern is { } modern && !group.Is(GroupState.Dead)
            ? ConsumerGroupRecords.Snapshot(group.GroupId, modern, name => _logs.GetTopic(name)?.Id)
            : NoRecords;
        var written = group.WrittenConsumerRecords;
        var changes = new List<(byte[] Key, byte[]? Value)>();
        foreach (var (id, record) in desired)
        {
            if (!written.TryGetValue(id, out var old) || !old.SameValue(record))
            {
                changes.Add((record.Key, record.Value));
            }
        }

        foreach (var (id, old) in written)
        {
            if (!desired.ContainsKey(id))
            {
                changes.Add((old.Key, null));
            }
        }

        if (changes.Count == 0)
        {
            return;
        }

        if (_store.Append(changes) == ErrorCode.None)
        {
            group.WrittenConsumerRecords = desired == NoRecords ? new(StringComparer.Ordinal) : desired;
        }
    }

    /// <summary>Rebuilds a consumer group from its replayed records (topic ids named by the topics now present).</summary>
    private void RestoreConsumerGroup(ConsumerGroup group, Dictionary<string, StoredRecord> records, long now)
    {
        var names = _logs.Topics.ToDictionary(t => t.Id, t => t.Name);
        var modern = group.BecomeModern(now);
        ConsumerGroupRecords.Restore(modern, records, id => names.GetValueOrDefault(id), now, _consumerSessionTimeoutMs);
        modern.AssignorName = ChooseAssignor(modern);
        group.WrittenConsumerRecords = new Dictionary<string, StoredRecord>(records, StringComparer.Ordinal);
        LogConsumerGroupRestored(_logger, group.GroupId, modern.GroupEpoch, modern.Members.Count);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Consumer group {GroupId}: restored at group epoch {GroupEpoch} with {Members} members")]
    private static partial void LogConsumerGroupRestored(ILogger logger, string groupId, int groupEpoch, int members);
}
