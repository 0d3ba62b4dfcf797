using System.CommandLine;
using Streams.Cli.Infrastructure;
using Streams.Operations.Offsets;

namespace Streams.Cli.Commands.Groups;

/// <summary>
/// <c>streams groups reset-offsets &lt;group&gt;</c>: kafka-consumer-groups --reset-offsets. The plan is always printed;
/// nothing changes without <c>--execute</c>, and an active group is refused (its members would overwrite the reset).
/// </summary>
internal static class ResetOffsetsCommand
{
    public static Command Create(CliEnvironment cli)
    {
        var group = new NameArgument("group", "--group", "Consumer group id");
        var reset = new OffsetResetOptions();
        var command = new Command("reset-offsets", "Plan (default) or --execute a reset of a group's committed offsets");
        group.AddTo(command);
        reset.AddTo(command);
        cli.SetAction(command, async (parse, session, _) =>
        {
            var groupId = group.Read(parse);
            var request = reset.Read(parse, TimeProvider.System);
            using var admin = session.CreateAdmin();
            var plan = await OffsetResetPlanner.PlanAsync(admin, groupId, request).ConfigureAwait(false);
            await WriteAndApplyAsync(session, admin, groupId, request, plan).ConfigureAwait(false);
            return ExitCodes.Ok;
        });
        return command;
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
