using System.CommandLine;
using Streams.Cli.Infrastructure;
using Streams.Operations.Groups;

namespace Streams.Cli.Commands.Groups;

/// <summary>
/// <c>streams groups describe &lt;group&gt;</c>: state, members and, per partition, the committed offset, the log end
/// offset, the lag and the member consuming it (kafka-consumer-groups --describe --members --offsets in one view).
/// <c>--isolation read_committed</c> measures against the last stable offset, the end a read_committed group can reach
/// (records of open and aborted transactions are not its lag); read_uncommitted, the high watermark, is the default as
/// in Kafka's tool.
/// </summary>
internal static class DescribeCommand
{
    public static Command Create(CliEnvironment cli)
    {
        var group = new NameArgument("group", "--group", "Consumer group id");
        var isolation = new Option<string>("--isolation")
        {
            Description = "Lag against the high watermark (read_uncommitted) or the last stable offset (read_committed, for transactional readers)",
            DefaultValueFactory = _ => "read_uncommitted",
        };
        isolation.AcceptOnlyFromAmong("read_uncommitted", "read_committed");
        var command = new Command("describe", "Show a group's state, members, and committed offset, log end offset and lag per partition") { isolation };
        group.AddTo(command);
        cli.SetAction(command, async (parse, session, _) =>
        {
            var groupId = group.Read(parse);
            using var admin = session.CreateAdmin();
            var readCommitted = parse.GetValue(isolation) == "read_committed";
            var positions = await GroupPositions.ReadAsync(admin, groupId,
                readCommitted ? Confluent.Kafka.IsolationLevel.ReadCommitted : Confluent.Kafka.IsolationLevel.ReadUncommitted).ConfigureAwait(false);
            if (!positions.Exists)
            {
                throw new CliException($"Consumer group '{groupId}' does not exist.");
            }

            var description = positions.Description;
            var rows = positions.Partitions.Select(p => new PartitionRow(p.Topic, p.Partition, p.CommittedOffset, p.LogEndOffset, p.Lag, p.ConsumerId, p.Host, p.ClientId)).ToList();
            var members = description.Members.Select(m => new MemberRow(m.ConsumerId, m.ClientId, m.Host, m.GroupInstanceId,
                [.. m.Assignment.TopicPartitions.Select(p => new TopicPartitionRow(p.Topic, p.Partition.Value))],
                m.TargetAssignment is { } target ? [.. target.TopicPartitions.Select(p => new TopicPartitionRow(p.Topic, p.Partition.Value))] : null)).ToList();
            var json = new
            {
                group = groupId,
                state = description.State.ToString(),
                type = GroupTypes.Name(description.GroupType),
                assignor = description.PartitionAssignor,
                isolation = readCommitted ? "read_committed" : "read_uncommitted",
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
