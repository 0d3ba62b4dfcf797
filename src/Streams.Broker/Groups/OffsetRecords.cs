using Streams.Broker.Protocol;

namespace Streams.Broker.Groups;

/// <summary>
/// Kafka's own record schemas for <c>__consumer_offsets</c> (OffsetCommitKey/Value, GroupMetadataKey/Value), so
/// the topic reads the same as a real cluster's with Kafka's tooling in mind. Big-endian, int16-length strings.
/// </summary>
internal static class OffsetRecords
{
    private const short OffsetKeyVersion = 1;
    private const short GroupKeyVersion = 2;
    private const short OffsetValueVersion = 3;
    private const short GroupValueVersion = 3;

    public static byte[] OffsetKey(string group, TopicPartition partition) => Encode(w =>
    {
        w.WriteInt16(OffsetKeyVersion);
        w.WriteString(group);
        w.WriteString(partition.Topic);
        w.WriteInt32(partition.Partition);
    });

    public static byte[] OffsetValue(CommittedOffset offset) => Encode(w =>
    {
        w.WriteInt16(OffsetValueVersion);
        w.WriteInt64(offset.Offset);
        w.WriteInt32(offset.LeaderEpoch);
        w.WriteString(offset.Metadata ?? string.Empty);
        w.WriteInt64(offset.CommitTimestampMs);
    });

    public static byte[] GroupKey(string group) => Encode(w =>
    {
        w.WriteInt16(GroupKeyVersion);
        w.WriteString(group);
    });

    /// <summary>The group's generation and, once it is Stable, its members and their assignments.</summary>
    public static byte[] GroupValue(ConsumerGroup group) => Encode(w =>
    {
        w.WriteInt16(GroupValueVersion);
        w.WriteString(group.ProtocolType ?? string.Empty);
        w.WriteInt32(group.GenerationId);
        w.WriteNullableString(group.ProtocolName);
        w.WriteNullableString(group.LeaderId);
        w.WriteInt64(group.StateTimestampMs);
        w.WriteArrayLength(group.Members.Count);
        foreach (var member in group.Members.Values)
        {
            w.WriteString(member.MemberId);
            w.WriteNullableString(member.GroupInstanceId);
            w.WriteString(member.ClientId);
            w.WriteString(member.ClientHost);
            w.WriteInt32(member.RebalanceTimeoutMs);
            w.WriteInt32(member.SessionTimeoutMs);
            w.WriteBytes(member.MetadataFor(group.ProtocolName) ?? []);
            w.WriteBytes(member.Assignment);
        }
    });

    /// <summary>Decodes a key: an offset key (versions 0-1) or a group key (version 2); null for anything else.</summary>
    public static (string Group, TopicPartition? Partition)? ReadKey(ReadOnlyMemory<byte> key)
    {
        var r = new KafkaReader(key, flexible: false);
        var version = r.ReadInt16();
        var group = r.ReadString();
        return version switch
        {
            0 or 1 => (group, new TopicPartition(r.ReadString(), r.ReadInt32())),
            2 => (group, null),
            _ => null,
        };
    }

    public static CommittedOffset ReadOffsetValue(ReadOnlyMemory<byte> value)
    {
        var r = new KafkaReader(value, flexible: false);
        var version = r.ReadInt16();
        var offset = r.ReadInt64();
        var leaderEpoch = version >= 3 ? r.ReadInt32() : -1;
        var metadata = r.ReadString();
        var timestamp = r.ReadInt64();
        return new CommittedOffset(offset, leaderEpoch, metadata, timestamp);
    }

    /// <summary>The parts of a group record a restart needs: membership itself is volatile, members rejoin.</summary>
    public static (string ProtocolType, int GenerationId, long StateTimestampMs, int MemberCount) ReadGroupValue(ReadOnlyMemory<byte> value)
    {
        var r = new KafkaReader(value, flexible: false);
        var version = r.ReadInt16();
        var protocolType = r.ReadString();
        var generation = r.ReadInt32();
        r.ReadNullableString();
        r.ReadNullableString();
        var timestamp = version >= 2 ? r.ReadInt64() : -1;
        var members = r.ReadArrayLength();
        return (protocolType, generation, timestamp, Math.Max(members, 0));
    }

    private static byte[] Encode(Action<KafkaWriter> write)
    {
        using var writer = new KafkaWriter(64);
        write(writer);
        return writer.WrittenMemory.ToArray();
    }
}
