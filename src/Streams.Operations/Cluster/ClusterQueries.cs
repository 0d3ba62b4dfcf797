using Confluent.Kafka;
using Confluent.Kafka.Admin;

namespace Streams.Operations.Cluster;

/// <summary>The admin look-ups operations share, shaped as they need them (dictionaries by partition).</summary>
public static class ClusterQueries
{
    /// <summary>How long an admin look-up may take before it fails (a page or command then says so, rather than hang).</summary>
    internal static readonly TimeSpan Timeout = TimeSpan.FromSeconds(15);

    /// <summary>
    /// Cluster metadata for every topic. Asking for all topics, never for one by name, because a Metadata request
    /// naming a topic can auto-create it on brokers with <c>auto.create.topics.enable</c>: looking must not create.
    /// librdkafka only offers this call synchronously, so it runs off the caller's thread.
    /// </summary>
    public static Task<Metadata> MetadataAsync(IAdminClient admin) => Task.Run(() => admin.GetMetadata(Timeout));

    /// <summary>The partitions of <paramref name="topic"/>, in order.</summary>
    /// <exception cref="OperationFailedException">The topic does not exist.</exception>
    public static async Task<IReadOnlyList<TopicPartition>> PartitionsAsync(IAdminClient admin, string topic)
    {
        var metadata = await MetadataAsync(admin).ConfigureAwait(false);
        var found = metadata.Topics.FirstOrDefault(t => t.Topic == topic && t.Error.Code == ErrorCode.NoError)
            ?? throw new OperationFailedException($"Topic '{topic}' does not exist.");
        return [.. found.Partitions.Select(p => new TopicPartition(topic, p.PartitionId)).OrderBy(p => p.Partition.Value)];
    }

    /// <summary>Offsets by <paramref name="spec"/>; -1 where a timestamp lies after every record.</summary>
    public static async Task<Dictionary<TopicPartition, long>> OffsetsAsync(IAdminClient admin, IEnumerable<TopicPartition> partitions, OffsetSpec spec, IsolationLevel isolation = IsolationLevel.ReadUncommitted)
    {
        var request = partitions.Select(p => new TopicPartitionOffsetSpec { TopicPartition = p, OffsetSpec = spec }).ToList();
        if (request.Count == 0)
        {
            return [];
        }

        IEnumerable<ListOffsetsResultInfo> infos;
        try
        {
            infos = (await admin.ListOffsetsAsync(request, new ListOffsetsOptions { RequestTimeout = Timeout, IsolationLevel = isolation }).ConfigureAwait(false)).ResultInfos;
        }
        catch (ListOffsetsException e)
        {
            // Some partitions failed: answer for the others and let the caller decide what a missing one means.
            infos = e.Result.ResultInfos.Where(r => !r.TopicPartitionOffsetError.Error.IsError);
        }
        catch (KafkaException) when (request.Count > 0)
        {
            // librdkafka fails the whole request when a partition has no leader (a deleted topic a group still has
            // offsets for): ask again for the partitions that exist.
            var metadata = await MetadataAsync(admin).ConfigureAwait(false);
            var existing = metadata.Topics.SelectMany(t => t.Partitions.Select(p => new TopicPartition(t.Topic, p.PartitionId))).ToHashSet();
            var known = request.Where(r => existing.Contains(r.TopicPartition)).ToList();
            if (known.Count == request.Count)
            {
                throw;
            }

            return await OffsetsAsync(admin, known.Select(r => r.TopicPartition), spec, isolation).ConfigureAwait(false);
        }

        return infos.ToDictionary(r => r.TopicPartitionOffsetError.TopicPartition, r => r.TopicPartitionOffsetError.Offset.Value);
    }

    /// <summary>Every committed offset of <paramref name="group"/> (partitions without a commit are left out).</summary>
    public static async Task<Dictionary<TopicPartition, long>> CommittedAsync(IAdminClient admin, string group)
    {
        var results = await admin.ListConsumerGroupOffsetsAsync([new ConsumerGroupTopicPartitions(group, null)]).ConfigureAwait(false);
        return results.SelectMany(r => r.Partitions)
            .Where(p => p.Error.Code == ErrorCode.NoError && p.Offset.Value >= 0)
            .ToDictionary(p => p.TopicPartition, p => p.Offset.Value);
    }

    /// <summary>The group's state and members (a group that does not exist is described as <see cref="ConsumerGroupState.Dead"/>).</summary>
    public static async Task<ConsumerGroupDescription> DescribeGroupAsync(IAdminClient admin, string group)
    {
        var result = await admin.DescribeConsumerGroupsAsync([group]).ConfigureAwait(false);
        return result.ConsumerGroupDescriptions.Single();
    }

    /// <summary>Kafka lets offsets change only while no member is in the group: an active consumer would overwrite them.</summary>
    public static bool IsActive(ConsumerGroupDescription group) =>
        group.Members.Count > 0 || group.State is ConsumerGroupState.Stable or ConsumerGroupState.PreparingRebalance or ConsumerGroupState.CompletingRebalance;

    /// <summary>The members and their assignments in one line, for telling a person who is still in the group.</summary>
    public static string DescribeMembers(ConsumerGroupDescription group) =>
        string.Join("; ", group.Members.Select(m =>
            $"{m.ConsumerId} (client {m.ClientId}, host {m.Host}{(m.GroupInstanceId is { Length: > 0 } instance ? ", instance " + instance : "")}) assigned "
            + (m.Assignment.TopicPartitions.Count == 0 ? "nothing" : string.Join(",", m.Assignment.TopicPartitions.Select(p => $"{p.Topic}:{p.Partition.Value}")))));
}
