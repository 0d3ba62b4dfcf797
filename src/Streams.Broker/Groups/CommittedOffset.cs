namespace Streams.Broker.Groups;

/// <summary>One committed position: the next offset the group will consume, as the client sent it.</summary>
internal readonly record struct CommittedOffset(long Offset, int LeaderEpoch, string? Metadata, long CommitTimestampMs);

/// <summary>A topic-partition as groups key their offsets.</summary>
internal readonly record struct TopicPartition(string Topic, int Partition);
