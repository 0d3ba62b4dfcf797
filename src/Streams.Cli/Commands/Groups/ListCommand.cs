using System.CommandLine;
using Streams.Cli.Infrastructure;

namespace Streams.Cli.Commands.Groups;

/// <summary><c>streams groups list</c>: every consumer group, its state and its protocol type (classic or consumer, KIP-848).</summary>
internal static class ListCommand
{
    public static Command Create(CliEnvironment cli)
    {
        var command = new Command("list", "List consumer groups with their state");
        cli.SetAction(command, async (_, session, _) =>
        {
            using var admin = session.CreateAdmin();
            var listed = await admin.ListConsumerGroupsAsync().ConfigureAwait(false);
            var groups = listed.Valid.OrderBy(g => g.GroupId, StringComparer.Ordinal)
                .Select(g => new { group = g.GroupId, state = g.State.ToString(), type = GroupTypes.Name(g.Type), simple = g.IsSimpleConsumerGroup })
                .ToList();
            var table = new TextTable("GROUP", "STATE", "TYPE");
            groups.ForEach(g => table.Add(g.group, g.state, g.type));
            await session.WriteAsync(groups, table).ConfigureAwait(false);
            return ExitCodes.Ok;
        });
        return command;
    }
}
