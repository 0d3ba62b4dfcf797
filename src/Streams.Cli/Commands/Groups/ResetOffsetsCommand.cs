using System.CommandLine;
using Streams.Cli.Infrastructure;

namespace Streams.Cli.Commands.Groups;

/// <summary>
/// <c>streams groups reset-offsets &lt;group&gt;</c>: kafka-consumer-groups --reset-offsets. The plan is always printed;
/// nothing changes without <c>--execute</c>, and an active group is refused (its members would overwrite the reset).
/// </summary>
internal static class ResetOffsetsCommand
{
    public static Command Create(CliEnvironment cli)
    {
        var group = new Argument<string>("group") { Description = "Consumer group id" };
        var reset = new OffsetResetOptions();
        var command = new Command("reset-offsets", "Plan (default) or --execute a reset of a group's committed offsets") { group };
        reset.AddTo(command);
        cli.SetAction(command, async (parse, session, _) =>
        {
            var groupId = parse.GetRequiredValue(group);
            var request = reset.Read(parse, TimeProvider.System);
            using var admin = session.CreateAdmin();
            var plan = await PlanAsync(admin, groupId, request).ConfigureAwait(false);
            await WriteAndApplyAsync(session, admin, groupId, request, plan).ConfigureAwait(false);
            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>Refuses an active group, then computes the plan (shared with <c>app reset</c>).</summary>
    internal static async Task<IReadOnlyList<PlannedOffset>> PlanAsync(Confluent.Kafka.IAdminClient admin, string groupId, OffsetResetRequest request, Func<string, bool>? includeTopic = null)
    {
        var description = await ClusterQueries.DescribeGroupAsync(admin, groupId).ConfigureAwait(false);
        if (ClusterQueries.IsActive(description))
        {
            throw new CliException($"Group '{groupId}' is active ({description.State}, {description.Members.Count} member(s)); stop its consumers first. Members: {ClusterQueries.DescribeMembers(description)}");
        }

        var committed = await ClusterQueries.CommittedAsync(admin, groupId).ConfigureAwait(false);
        return await OffsetResetPlanner.PlanAsync(admin, groupId, request, committed, includeTopic).ConfigureAwait(false);
    }

    internal static async Task WriteAndApplyAsync(CliSession session, Confluent.Kafka.IAdminClient admin, string groupId, OffsetResetRequest request, IReadOnlyList<PlannedOffset> plan)
    {
        if (request.ExportFile is { } export)
        {
            await OffsetResetPlanner.ExportAsync(export, plan).ConfigureAwait(false);
        }

        if (request.Execute)
        {
            await OffsetResetPlanner.ApplyAsync(admin, groupId, plan).ConfigureAwait(false);
        }

        var table = new TextTable("GROUP", "TOPIC", "PARTITION", "CURRENT-OFFSET", "NEW-OFFSET");
        foreach (var p in plan)
        {
            table.Add(groupId, p.Topic, p.Partition, p.CurrentOffset, p.NewOffset);
        }

        await session.WriteAsync(new { group = groupId, executed = request.Execute, offsets = plan }, table).ConfigureAwait(false);
        await session.NoteAsync(request.Execute
            ? $"Reset {plan.Count} partition(s) of group '{groupId}'."
            : "Dry run: nothing changed. Add --execute to apply this plan.").ConfigureAwait(false);
    }
}
