using System.CommandLine;
using Streams.Cli.Infrastructure;
using Streams.Contracts.Topics;
using Streams.Operations.Acls;

namespace Streams.Cli.Commands.Acls;

/// <summary>
/// <c>streams acls apply</c>: makes the cluster's ACLs match what <see cref="TopicCatalog"/> grants
/// (<see cref="CatalogAcls"/>, <see cref="AclPlan"/>). Manages the ACLs of the catalog's principals only, all of them;
/// prints the plan first and changes nothing without <c>--execute</c>; a second run finds nothing to do.
/// </summary>
internal static class ApplyCommand
{
    public static Command Create(CliEnvironment cli)
    {
        var execute = new Option<bool>("--execute") { Description = "Apply the changes (default: only print them)" };
        var command = new Command("apply", "Make the cluster's ACLs for the catalog's service principals match the topic catalog (dry run unless --execute)") { execute };
        cli.SetAction(command, async (parse, session, _) =>
        {
            var desired = CatalogAcls.Derive();
            var principals = CatalogAcls.Principals();
            using var admin = session.CreateAdmin();
            var changes = await AclPlan.DiffAsync(admin, desired, principals).ConfigureAwait(false);
            var apply = parse.GetValue(execute);
            if (apply)
            {
                await AclPlan.ApplyAsync(admin, changes).ConfigureAwait(false);
            }

            var table = new TextTable(["ACTION", .. AclOutput.Headers]);
            changes.ForEach(c => table.Add([c.Action, .. AclOutput.Cells(c.Binding)]));
            await session.WriteAsync(new { executed = apply, inSync = changes.Count == 0, principals, changes }, async writer =>
            {
                if (changes.Count == 0)
                {
                    await writer.WriteLineAsync($"All {desired.Count} ACLs the catalog grants to {principals.Count} principals match the cluster.").ConfigureAwait(false);
                    return;
                }

                await table.WriteToAsync(writer).ConfigureAwait(false);
            }).ConfigureAwait(false);
            if (!apply && changes.Count > 0)
            {
                await session.NoteAsync("Dry run: nothing changed. Add --execute to apply.").ConfigureAwait(false);
            }

            return ExitCodes.Ok;
        });
        return command;
    }
}
