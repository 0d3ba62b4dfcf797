using System.CommandLine;
using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Streams.Cli.Infrastructure;
using Streams.Operations.Cluster;

namespace Streams.Cli.Commands.Groups;

/// <summary>
/// <c>streams groups describe &lt;group&gt;</c>: state, members and, per partition, the committed offset, the log end
/// offset, the lag and the member consuming it (kafka-consumer-groups --describe --members --offsets in one view).
/// </summary>
internal static class DescribeCommand
{
    public static Command Create(CliEnvironment cli)
    {
        var group = new NameArgument("group", "--group", "Consumer group id");
        var command = new Command("describe", "Show a group's state, members, and committed offset, log end offset and lag per partition");
        group.AddTo(command);
        cli.SetAction(command, async (parse, session, _) =>
        {
            var groupId = group.Read(parse);
            using var admin = session.CreateAdmin();
            var description = await ClusterQueries.DescribeGroupAsync(admin, groupId).ConfigureAwait(false);
            var committed = await ClusterQueries.CommittedAsync(admin, groupId).ConfigureAwait(false);
            if (description.State == ConsumerGroupState.Dead && committed.Count == 0)
            {
                throw new CliException($"Consumer group '{groupId}' does not exist.");
            }

            var owners = description.Members
                .SelectMany(m => m.Assignment.TopicPartitions.Select(p => (Partition: p, Member: m)))
                .ToDictionary(x => x.Partition, x => x.Member);
            var partitions = committed.Keys.Union(owners.Keys)
                .OrderBy(p => p.Topic, StringComparer.Ordinal).ThenBy(p => p.Partition.Value).ToList();
            var logEnd = await ClusterQueries.OffsetsAsync(admin, partitions, OffsetSpec.Latest()).ConfigureAwait(false);

            var rows = partitions.Select(p =>
            {
                long? current = committed.TryGetValue(p, out var c) ? c : null;
                long? end = logEnd.TryGetValue(p, out var e) && e >= 0 ? e : null;
                var owner = owners.GetValueOrDefault(p);
                return new PartitionRow(p.Topic, p.Partition.Value, current, end, current is { } cur && end is { } le ? Math.Max(0, le - cur) : null,
                    owner?.ConsumerId, owner?.Host, owner?.ClientId);
            }).ToList();
            var members = description.Members.Select(m => new MemberRow(m.ConsumerId, m.ClientId, m.Host, m.GroupInstanceId,
                [.. m.Assignment.TopicPartitions.Select(p => new TopicPartitionRow(p.Topic, p.Partition.Value))],
                m.TargetAssignment is { } target ? [.. target.TopicPartitions.Select(p => new TopicPartitionRow(p.Topic, p.Partition.Value))] : null)).ToList();
            var json = new
            {
                group = groupId,
                state = description.State.ToString(),
                type = GroupTypes.Name(description.GroupType),
                assignor = description.PartitionAssignor,
                members,
                partitions = rows,
                totalLag = rows.Sum(r => r.Lag ?? 0),
            };

            await session.WriteAsync(json, async writer =>
            {
                await writer.WriteLineAsync($"Group {groupId} ({json.type}): {description.State}, {members.Count} member(s), total lag {json.totalLag}").ConfigureAwait(false);
                foreach (var member in members.Where(m => m.TargetAssignment is not null && !m.TargetAssignment.ToHashSet().SetEquals(m.Assignments)))
                {
                    // KIP-848 members converge on their target one heartbeat at a time; show who is still moving.
                    await writer.WriteLineAsync($"  {member.ConsumerId} is reconciling towards {string.Join(",", member.TargetAssignment!.Select(p => $"{p.Topic}:{p.Partition}"))}").ConfigureAwait(false);
                }

                await writer.WriteLineAsync().ConfigureAwait(false);
                var table = new TextTable("TOPIC", "PARTITION", "CURRENT-OFFSET", "LOG-END-OFFSET", "LAG", "CONSUMER-ID", "HOST", "CLIENT-ID");
                rows.ForEach(r => table.Add(r.Topic, r.Partition, r.CommittedOffset, r.LogEndOffset, r.Lag, r.ConsumerId, r.Host, r.ClientId));
                await table.WriteToAsync(writer).ConfigureAwait(false);
            }).ConfigureAwait(false);
            return ExitCodes.Ok;
        });
        return command;
    }

    private sealed record PartitionRow(string Topic, int Partition, long? CommittedOffset, long? LogEndOffset, long? Lag, string? ConsumerId, string? Host, string? ClientId);

    /// <summary>A member; <paramref name="TargetAssignment"/> is set for members of consumer (KIP-848) groups.</summary>
    private sealed record MemberRow(string ConsumerId, string ClientId, string Host, string? GroupInstanceId, IReadOnlyList<TopicPartitionRow> Assignments,
        IReadOnlyList<TopicPartitionRow>? TargetAssignment);

    private sealed record TopicPartitionRow(string Topic, int Partition);
}
