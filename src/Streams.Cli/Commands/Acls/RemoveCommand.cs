using System.CommandLine;
using Streams.Cli.Infrastructure;
using Streams.Operations.Acls;

namespace Streams.Cli.Commands.Acls;

/// <summary>
/// <c>streams acls remove</c>: deletes the ACLs the options match (kafka-acls.sh --remove); an absent option matches
/// anything, so <c>--principal User:x</c> alone removes all of that principal's ACLs. Prints what was deleted.
/// </summary>
internal static class RemoveCommand
{
    public static Command Create(CliEnvironment cli)
    {
        var arguments = new AclArguments(filter: true);
        var command = new Command("remove", "Remove the ACLs the options match (--principal and/or a resource required; --operation, --allow/--deny, --host narrow it)");
        arguments.AddTo(command);
        command.Validators.Add(result =>
        {
            var named = (result.GetValue(arguments.Principals)?.Length ?? 0) + (result.GetValue(arguments.Topics)?.Length ?? 0)
                + (result.GetValue(arguments.Groups)?.Length ?? 0) + (result.GetValue(arguments.TransactionalIds)?.Length ?? 0)
                + (result.GetValue(arguments.Cluster) ? 1 : 0);
            if (named == 0)
            {
                // A filter with nothing in it matches every ACL of the cluster: too easy to type by accident.
                result.AddError("give --principal or a resource (--topic, --group, --cluster, --transactional-id)");
            }
        });
        cli.SetAction(command, async (parse, session, _) =>
        {
            using var admin = session.CreateAdmin();
            var deleted = await ClusterAcls.DeleteAsync(admin, arguments.Filters(parse)).ConfigureAwait(false);
            await session.WriteAsync(new { removed = deleted.Select(AclOutput.Json).ToList() }, async writer =>
            {
                if (deleted.Count == 0)
                {
                    await writer.WriteLineAsync("No ACL matched; nothing removed.").ConfigureAwait(false);
                    return;
                }

                await writer.WriteLineAsync($"Removed {deleted.Count} ACL{(deleted.Count == 1 ? "" : "s")}:").ConfigureAwait(false);
                await AclOutput.Table(deleted).WriteToAsync(writer).ConfigureAwait(false);
            }).ConfigureAwait(false);
            return ExitCodes.Ok;
        });
        return command;
    }
}
