using System.CommandLine;
using Streams.Cli.Infrastructure;
using Streams.Contracts.Topics;
using Streams.Operations.Topics;

namespace Streams.Cli.Commands.Topics;

/// <summary>
/// <c>streams topics apply</c>: makes the cluster match <see cref="TopicCatalog"/> (<see cref="TopicCatalogSync"/>).
/// Prints the difference first and changes nothing without <c>--execute</c>; a second run finds nothing to do.
/// </summary>
internal static class ApplyCommand
{
    public static Command Create(CliEnvironment cli)
    {
        var execute = new Option<bool>("--execute") { Description = "Apply the changes (default: only print them)" };
        var command = new Command("apply", "Make the cluster's topics match the topic catalog (dry run unless --execute)") { execute };
        cli.SetAction(command, async (parse, session, _) =>
        {
            using var admin = session.CreateAdmin();
            var changes = await TopicCatalogSync.DiffAsync(admin, TopicCatalog.All).ConfigureAwait(false);
            var apply = parse.GetValue(execute);
            if (apply)
            {
                await TopicCatalogSync.ApplyAsync(admin, changes).ConfigureAwait(false);
            }

            var table = new TextTable("TOPIC", "ACTION", "DETAIL");
            changes.ForEach(c => table.Add(c.Topic, c.Action, c.Detail));
            var unfixable = changes.Count(c => c.Action == TopicChange.CannotFix);
            await session.WriteAsync(new { executed = apply, inSync = changes.Count == 0, changes }, async writer =>
            {
                if (changes.Count == 0)
                {
                    await writer.WriteLineAsync($"All {TopicCatalog.All.Count} catalog topics match the cluster.").ConfigureAwait(false);
                    return;
                }

                await table.WriteToAsync(writer).ConfigureAwait(false);
            }).ConfigureAwait(false);
            if (!apply && changes.Count > unfixable)
            {
                await session.NoteAsync("Dry run: nothing changed. Add --execute to apply.").ConfigureAwait(false);
            }

            return unfixable > 0 && apply ? ExitCodes.Failed : ExitCodes.Ok;
        });
        return command;
    }
}
