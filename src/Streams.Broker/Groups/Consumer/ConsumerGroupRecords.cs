using System.Globalization;
using Streams.Broker.Protocol;

namespace Streams.Broker.Groups.Consumer;

/// <summary>
/// Kafka's record schemas for KIP-848 consumer groups in <c>__consumer_offsets</c>: key versions 3 (group epoch),
/// 4 (subscribed topics' metadata), 5 (a member's subscription), 6 (target assignment epoch), 7 (a member's target
/// assignment) and 8 (a member's epochs and current assignment). Keys are non-flexible (int16 version, int16-length
/// strings); values are an int16 version 0 followed by a flexible body (compact strings and arrays, tagged fields),
/// partitions named by topic id. A snapshot of a group is the full set of its records; the coordinator appends the
/// ones that differ from what it wrote last, and tombstones for those that went.
/// </summary>
internal static class ConsumerGroupRecords
{
    public const short MetadataKey = 3;
    public const short PartitionMetadataKey = 4;
    public const short MemberMetadataKey = 5;
    public const short TargetAssignmentMetadataKey = 6;
    public const short TargetAssignmentMemberKey = 7;
    public const short CurrentMemberAssignmentKey = 8;

    private const short ValueVersion = 0;

    /// <summary>The epoch Kafka records for a static member that left meaning to come back.</summary>
    private const int StaticLeftEpoch = -2;

    /// <summary>Kafka's MemberState codes in the current-assignment record.</summary>
    private const sbyte Stable = 0;
    private const sbyte UnrevokedPartitions = 1;
    private const sbyte UnreleasedPartitions = 2;

    /// <summary>Every record of the group as it is now, by <see cref="Id"/>; partitions of topics without an id are left out.</summary>
    public static Dictionary<string, StoredRecord> Snapshot(string groupId, ModernGroupState modern, Func<string, Guid?> topicId)
    {
        var records = new Dictionary<string, StoredRecord>(StringComparer.Ordinal);
        void Add(short version, string? memberId, Action<KafkaWriter> body) =>
            records[Id(version, memberId)] = new StoredRecord(Key(version, groupId, memberId), Value(body));

        Add(MetadataKey, null, w => w.WriteInt32(modern.GroupEpoch));
        Add(PartitionMetadataKey, null, w => w.WriteArray(modern.SubscribedTopics.Where(t => topicId(t.Key) is not null).ToList(), (tw, topic) =>
        {
            tw.WriteUuid(topicId(topic.Key)!.Value);
            tw.WriteString(topic.Key);
            tw.WriteInt32(topic.Value);
            tw.WriteArrayLength(0);
            tw.WriteTaggedFields();
        }));
        Add(TargetAssignmentMetadataKey, null, w => w.WriteInt32(modern.AssignmentEpoch));
        foreach (var member in modern.Members.Values)
        {
            Add(MemberMetadataKey, member.MemberId, w =>
            {
                w.WriteNullableString(member.InstanceId);
                w.WriteNullableString(member.RackId);
                w.WriteString(member.ClientId);
                w.WriteString(member.ClientHost);
                w.WriteArray(member.SubscribedTopicNames.ToList(), (nw, name) => nw.WriteString(name));
                w.WriteNullableString(member.SubscribedTopicRegex);
                w.WriteInt32(member.RebalanceTimeoutMs);
                w.WriteNullableString(member.ServerAssignor);
            });
            if (modern.TargetAssignment.TryGetValue(member.MemberId, out var target))
            {
                Add(TargetAssignmentMemberKey, member.MemberId, w => WritePartitions(w, target, topicId));
            }

            Add(CurrentMemberAssignmentKey, member.MemberId, w =>
            {
                w.WriteInt32(member.LeftStatic ? StaticLeftEpoch : member.MemberEpoch);
                w.WriteInt32(member.LeftStatic ? member.MemberEpoch : member.PreviousMemberEpoch);
                w.WriteInt8(member.Revoking.Count > 0 ? UnrevokedPartitions : member.Unreleased.Count > 0 ? UnreleasedPartitions : Stable);
                WritePartitions(w, member.Assigned.Where(p => !member.Revoking.Contains(p)), topicId);
                WritePartitions(w, member.Revoking, topicId);
            });
        }

        return records;
    }

    /// <summary>A record's identity within its group: key version and member id.</summary>
    public static string Id(short version, string? memberId) => version.ToString(CultureInfo.InvariantCulture) + "/" + memberId;

    /// <summary>Decodes a consumer group key (versions 3-8); null for any other key.</summary>
    public static (short Version, string GroupId, string? MemberId)? ReadKey(ReadOnlyMemory<byte> key)
    {
        var r = new KafkaReader(key, flexible: false);
        var version = r.ReadInt16();
        if (version is < MetadataKey or > CurrentMemberAssignmentKey)
        {
            return null;
        }

        var groupId = r.ReadString();
        return (version, groupId, version is MemberMetadataKey or TargetAssignmentMemberKey or CurrentMemberAssignmentKey ? r.ReadString() : null);
    }

    /// <summary>
    /// Rebuilds a group's KIP-848 state from its last records (by <see cref="Id"/>), naming topics through
    /// <paramref name="topicName"/> (partitions of deleted topics are dropped). Members get fresh session deadlines from
    /// <paramref name="nowMs"/>, as Kafka schedules them when its coordinator loads a group.
    /// </summary>
    public static void Restore(ModernGroupState modern, IReadOnlyDictionary<string, StoredRecord> records, Func<Guid, string?> topicName, long nowMs, int sessionTimeoutMs)
    {
        foreach (var (_, record) in records.OrderBy(r => r.Key, StringComparer.Ordinal))
        {
            var key = ReadKey(record.Key)!.Value;
            var r = Body(record.Value);
            switch (key.Version)
            {
                case MetadataKey:
                    modern.GroupEpoch = r.ReadInt32();
                    break;
                case PartitionMetadataKey:
                    var topics = r.ReadArray((ref KafkaReader t) =>
                    {
                        var topicId = t.ReadUuid();
                        var name = t.ReadString();
                        var partitions = t.ReadInt32();
                        t.ReadArray((ref KafkaReader p) =>
                        {
                            p.ReadInt32();
                            p.ReadArray((ref KafkaReader s) => s.ReadString());
                            p.SkipTaggedFields();
                            return 0;
                        });
                        t.SkipTaggedFields();
                        return (Name: topicName(topicId) ?? name, Partitions: partitions);
                    });
                    modern.SubscribedTopics = new SortedDictionary<string, int>(topics.ToDictionary(t => t.Name, t => t.Partitions, StringComparer.Ordinal), StringComparer.Ordinal);
                    break;
                case TargetAssignmentMetadataKey:
                    modern.AssignmentEpoch = r.ReadInt32();
                    break;
                case MemberMetadataKey:
                    var member = MemberOf(modern, key.MemberId!);
                    member.InstanceId = r.ReadNullableString();
                    member.RackId = r.ReadNullableString();
                    member.ClientId = r.ReadString();
                    member.ClientHost = r.ReadString();
                    member.SubscribedTopicNames = r.ReadArray((ref KafkaReader s) => s.ReadString());
                    member.SubscribedTopicRegex = r.ReadNullableString();
                    member.CompiledRegex = Compile(member.SubscribedTopicRegex);
                    member.RebalanceTimeoutMs = r.ReadInt32() is var timeout and > 0 ? timeout : member.RebalanceTimeoutMs;
                    member.ServerAssignor = r.ReadNullableString();
                    member.SessionDeadlineMs = nowMs + sessionTimeoutMs;
                    if (member.InstanceId is { } instanceId)
                    {
                        modern.StaticMembers[instanceId] = member.MemberId;
                    }

                    break;
                case TargetAssignmentMemberKey:
                    modern.TargetAssignment[key.MemberId!] = ReadPartitions(ref r, topicName);
                    break;
                case CurrentMemberAssignmentKey:
                    var current = MemberOf(modern, key.MemberId!);
                    var epoch = r.ReadInt32();
                    var previous = r.ReadInt32();
                    var state = r.ReadInt8();
                    current.LeftStatic = epoch == StaticLeftEpoch;
                    current.MemberEpoch = current.LeftStatic ? previous : epoch;
                    current.PreviousMemberEpoch = current.LeftStatic ? -1 : previous;
                    current.Assigned.UnionWith(ReadPartitions(ref r, topicName));
                    var revoking = ReadPartitions(ref r, topicName);
                    current.Assigned.UnionWith(revoking);
                    current.Revoking.UnionWith(revoking);
                    if (revoking.Count > 0)
                    {
                        current.RevocationDeadlineMs = nowMs + current.RebalanceTimeoutMs;
                    }

                    // Target records (key 7) sort before current ones (key 8): a member waiting for partitions
                    // waits for the rest of its target, as it did before the restart.
                    if (state == UnreleasedPartitions && modern.TargetAssignment.TryGetValue(current.MemberId, out var waitingFor))
                    {
                        current.Unreleased.UnionWith(waitingFor.Where(p => !current.Assigned.Contains(p)));
                    }

                    break;
            }
        }

        // A member whose subscription record is missing (a partly written group) cannot heartbeat on: it rejoins.
        foreach (var orphan in modern.Members.Values.Where(m => !records.ContainsKey(Id(MemberMetadataKey, m.MemberId))).ToList())
        {
            modern.Members.Remove(orphan.MemberId);
            modern.TargetAssignment.Remove(orphan.MemberId);
        }

        foreach (var stale in modern.TargetAssignment.Keys.Where(id => !modern.Members.ContainsKey(id)).ToList())
        {
            modern.TargetAssignment.Remove(stale);
        }
    }

    private static ConsumerGroupMember MemberOf(ModernGroupState modern, string memberId)
    {
        if (!modern.Members.TryGetValue(memberId, out var member))
        {
            member = new ConsumerGroupMember(memberId);
            modern.Members[memberId] = member;
        }

        return member;
    }

    private static System.Text.RegularExpressions.Regex? Compile(string? pattern)
    {
        if (string.IsNullOrEmpty(pattern))
        {
            return null;
        }

        try
        {
            return new System.Text.RegularExpressions.Regex(pattern, System.Text.RegularExpressions.RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(100));
        }
        catch (ArgumentException)
        {
            return null;
        }
    }

    private static void WritePartitions(KafkaWriter w, IEnumerable<TopicPartition> partitions, Func<string, Guid?> topicId)
    {
        var byTopic = partitions.GroupBy(p => p.Topic, StringComparer.Ordinal).Where(g => topicId(g.Key) is not null).OrderBy(g => g.Key, StringComparer.Ordinal).ToList();
        w.WriteArray(byTopic, (tw, topic) =>
        {
            tw.WriteUuid(topicId(topic.Key)!.Value);
            tw.WriteArray(topic.Select(p => p.Partition).Order().ToList(), (pw, p) => pw.WriteInt32(p));
            tw.WriteTaggedFields();
        });
    }

    private static HashSet<TopicPartition> ReadPartitions(ref KafkaReader r, Func<Guid, string?> topicName)
    {
        var partitions = new HashSet<TopicPartition>();
        foreach (var (name, indexes) in r.ReadArray((ref KafkaReader t) =>
        {
            var id = t.ReadUuid();
            var list = t.ReadArray((ref KafkaReader p) => p.ReadInt32());
            t.SkipTaggedFields();
            return (topicName(id), list);
        }))
        {
            if (name is not null)
            {
                partitions.UnionWith(indexes.Select(i => new TopicPartition(name, i)));
            }
        }

        return partitions;
    }

    private static byte[] Key(short version, string groupId, string? memberId)
    {
        using var writer = new KafkaWriter(64);
        writer.WriteInt16(version);
        writer.WriteString(groupId);
        if (memberId is not null)
        {
            writer.WriteString(memberId);
        }

        return writer.WrittenMemory.ToArray();
    }

    private static byte[] Value(Action<KafkaWriter> body)
    {
        using var writer = new KafkaWriter(128);
        writer.WriteInt16(ValueVersion);
        writer.Flexible = true;
        body(writer);
        writer.WriteTaggedFields();
        return writer.WrittenMemory.ToArray();
    }

    /// <summary>A reader positioned after a value's version, over its flexible body.</summary>
    private static KafkaReader Body(byte[] value) => new(value.AsMemory(2), flexible: true);
}
