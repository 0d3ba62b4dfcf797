using System.CommandLine;
using Streams.Cli.Infrastructure;

namespace Streams.Cli.Commands.Groups;

/// <summary><c>streams groups list</c>: every consumer group and its state.</summary>
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
                .Select(g => new { group = g.GroupId, state = g.State.ToString(), simple = g.IsSimpleConsumerGroup })
                .ToList();
            var table = new TextTable("GROUP", "STATE");
            groups.ForEach(g => table.Add(g.group, g.state));
            await session.WriteAsync(groups, table).ConfigureAwait(false);
            return ExitCodes.Ok;
        });
        return command;
    }
}
