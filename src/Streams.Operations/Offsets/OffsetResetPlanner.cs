using System.Globalization;
using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Streams.Operations.Cluster;

namespace Streams.Operations.Offsets;

/// <summary>One line of a reset plan: where the group is (null: no commit) and where it will be.</summary>
/// <param name="Topic">Topic name.</param>
/// <param name="Partition">Partition number.</param>
/// <param name="CurrentOffset">The group's committed offset, or null where it has none.</param>
/// <param name="NewOffset">The offset the reset commits.</param>
public sealed record PlannedOffset(string Topic, int Partition, long? CurrentOffset, long NewOffset);

/// <summary>
/// Computes a reset plan as kafka-consumer-groups does: every new offset is clamped to the partition's
/// [earliest, log end] range, a time past the last record means the log end, and <c>--shift-by</c> needs a commit.
/// Messages name kafka-consumer-groups' options (<c>--topic</c>, <c>--from-file</c>), the words operators know.
/// </summary>
public static class OffsetResetPlanner
{
    /// <summary>
    /// Refuses an active group (Kafka lets offsets change only while no member is in the group: an active consumer
    /// would overwrite them), then computes the plan from the group's committed offsets.
    /// </summary>
    /// <param name="admin">Admin client.</param>
    /// <param name="group">The group whose offsets are planned.</param>
    /// <param name="request">Scope and specifier.</param>
    /// <param name="includeTopic">Topics that may be in the plan at all (an application reset leaves internal topics out).</param>
    /// <exception cref="OperationFailedException">The group is active, or a partition of the scope does not exist.</exception>
    /// <exception cref="InvalidRequestException">The plan file is missing or malformed.</exception>
    public static async Task<IReadOnlyList<PlannedOffset>> PlanAsync(IAdminClient admin, string group, OffsetResetRequest request, Func<string, bool>? includeTopic = null)
    {
        ArgumentNullException.ThrowIfNull(request);
        var description = await ClusterQueries.DescribeGroupAsync(admin, group).ConfigureAwait(false);
        if (ClusterQueries.IsActive(description))
        {
            throw new OperationFailedException($"Group '{group}' is active ({description.State}, {description.Members.Count} member(s)); stop its consumers first. Members: {ClusterQueries.DescribeMembers(description)}");
        }

        var committed = await ClusterQueries.CommittedAsync(admin, group).ConfigureAwait(false);
        return await PlanAsync(admin, group, request, committed, includeTopic).ConfigureAwait(false);
    }

    /// <param name="admin">Admin client.</param>
    /// <param name="group">The group whose offsets are planned.</param>
    /// <param name="request">Scope and specifier.</param>
    /// <param name="committed">The group's committed offsets.</param>
    /// <param name="includeTopic">Topics that may be in the plan at all (app reset leaves internal topics out).</param>
    private static async Task<IReadOnlyList<PlannedOffset>> PlanAsync(IAdminClient admin, string group, OffsetResetRequest request, IReadOnlyDictionary<TopicPartition, long> committed, Func<string, bool>? includeTopic)
    {
        var filePlan = request.Specifier == ResetSpecifier.FromFile ? await ReadPlanAsync(request.PlanFile!, group).ConfigureAwait(false) : null;
        var partitions = (await PartitionsAsync(admin, request, committed, filePlan).ConfigureAwait(false))
            .Where(p => includeTopic?.Invoke(p.Topic) ?? true).ToList();
        var earliest = await ClusterQueries.OffsetsAsync(admin, partitions, OffsetSpec.Earliest()).ConfigureAwait(false);
        var latest = await ClusterQueries.OffsetsAsync(admin, partitions, OffsetSpec.Latest()).ConfigureAwait(false);
        var byTime = request.Specifier == ResetSpecifier.ToDatetime
            ? await ClusterQueries.OffsetsAsync(admin, partitions, OffsetSpec.ForTimestamp(request.Time.ToUnixTimeMilliseconds())).ConfigureAwait(false)
            : [];

        if (partitions.FirstOrDefault(p => !earliest.ContainsKey(p) || !latest.ContainsKey(p)) is { } unknown)
        {
            throw new OperationFailedException($"No offsets for {unknown.Topic}:{unknown.Partition.Value} (was the topic deleted?); leave it out with --topic.");
        }

        return [.. partitions.Select(p =>
        {
            long? current = committed.TryGetValue(p, out var c) ? c : null;
            var target = request.Specifier switch
            {
                ResetSpecifier.ToEarliest => earliest[p],
                ResetSpecifier.ToLatest => latest[p],
                ResetSpecifier.ToCurrent => current ?? latest[p],
                ResetSpecifier.ToOffset => request.Value,
                ResetSpecifier.ShiftBy => (current ?? throw new OperationFailedException($"Cannot shift {p.Topic}:{p.Partition.Value}: group '{group}' has no committed offset there.")) + request.Value,
                ResetSpecifier.ToDatetime => byTime.GetValueOrDefault(p, -1) is >= 0 and var found ? found : latest[p],
                ResetSpecifier.FromFile => filePlan![p],
                _ => throw new InvalidOperationException(request.Specifier.ToString()),
            };
            return new PlannedOffset(p.Topic, p.Partition.Value, current, Math.Clamp(target, earliest[p], latest[p]));
        })];
    }

    /// <summary>The plan as CSV, Kafka's export format (topic,partition,offset), which <c>--from-file</c> reads back.</summary>
    public static Task ExportAsync(string path, IEnumerable<PlannedOffset> plan) =>
        File.WriteAllLinesAsync(path, plan.Select(p => string.Create(CultureInfo.InvariantCulture, $"{p.Topic},{p.Partition},{p.NewOffset}")));

    /// <summary>Commits the plan's new offsets for <paramref name="group"/>.</summary>
    /// <exception cref="OperationFailedException">The brokers refused some partitions (a consumer joined meanwhile).</exception>
    public static async Task ApplyAsync(IAdminClient admin, string group, IReadOnlyList<PlannedOffset> plan)
    {
        if (plan.Count == 0)
        {
            return;
        }

        try
        {
            await admin.AlterConsumerGroupOffsetsAsync([new ConsumerGroupTopicPartitionOffsets(group,
                [.. plan.Select(p => new TopicPartitionOffset(p.Topic, p.Partition, p.NewOffset))])]).ConfigureAwait(false);
        }
        catch (AlterConsumerGroupOffsetsException e)
        {
            // UNKNOWN_MEMBER_ID here means a consumer joined between the check and the change.
            var failed = e.Results.SelectMany(r => r.Partitions).Where(p => p.Error.IsError).Select(p => $"{p.Topic}:{p.Partition.Value} {p.Error.Reason}");
            throw new OperationFailedException($"Resetting offsets of group '{group}' failed ({e.Error.Reason}): {string.Join("; ", failed)}");
        }
    }

    private static async Task<List<TopicPartition>> PartitionsAsync(IAdminClient admin, OffsetResetRequest request, IReadOnlyDictionary<TopicPartition, long> committed, Dictionary<TopicPartition, long>? filePlan)
    {
        IEnumerable<TopicPartition> partitions;
        if (request.Scopes is null)
        {
            partitions = filePlan?.Keys ?? committed.Keys;
        }
        else
        {
            var chosen = new List<TopicPartition>();
            foreach (var scope in request.Scopes)
            {
                var existing = await ClusterQueries.PartitionsAsync(admin, scope.Topic).ConfigureAwait(false);
                foreach (var partition in scope.Partitions ?? [.. existing.Select(p => p.Partition.Value)])
                {
                    var topicPartition = new TopicPartition(scope.Topic, partition);
                    chosen.Add(existing.Contains(topicPartition) ? topicPartition : throw new OperationFailedException($"Topic '{scope.Topic}' has no partition {partition}."));
                }
            }

            // A plan file with a scope resets the scope's partitions the file names (Kafka's behaviour).
            partitions = filePlan is null ? chosen : chosen.Where(filePlan.ContainsKey);
        }

        return [.. partitions.Distinct().OrderBy(p => p.Topic, StringComparer.Ordinal).ThenBy(p => p.Partition.Value)];
    }

    private static async Task<Dictionary<TopicPartition, long>> ReadPlanAsync(string path, string group)
    {
        if (!File.Exists(path))
        {
            throw new InvalidRequestException($"--from-file '{path}' does not exist");
        }

        var plan = new Dictionary<TopicPartition, long>();
        var number = 0;
        foreach (var raw in await File.ReadAllLinesAsync(path).ConfigureAwait(false))
        {
            number++;
            var line = raw.Trim();
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            // topic,partition,offset, or group,topic,partition,offset as Kafka exports several groups.
            var fields = line.Split(',', StringSplitOptions.TrimEntries);
            if (fields.Length == 4 && fields[0] != group)
            {
                continue;
            }

            var rest = fields.Length == 4 ? fields[1..] : fields;
            if (rest.Length != 3
                || !int.TryParse(rest[1], NumberStyles.None, CultureInfo.InvariantCulture, out var partition)
                || !long.TryParse(rest[2], NumberStyles.None, CultureInfo.InvariantCulture, out var offset))
            {
                throw new InvalidRequestException($"{path}:{number}: expected topic,partition,offset, got '{line}'");
            }

            plan[new TopicPartition(rest[0], partition)] = offset;
        }

        return plan;
    }
}
