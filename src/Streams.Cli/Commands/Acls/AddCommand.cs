using System.CommandLine;
using Streams.Cli.Infrastructure;
using Streams.Operations.Acls;

namespace Streams.Cli.Commands.Acls;

/// <summary>
/// <c>streams acls add --allow --principal User:x --operation Read --topic t</c>: creates one ACL per principal,
/// operation and resource given (kafka-acls.sh --add). Adding an ACL that exists is not an error.
/// </summary>
internal static class AddCommand
{
    public static Command Create(CliEnvironment cli)
    {
        var arguments = new AclArguments(filter: false);
        var command = new Command("add", "Add ACLs: --allow|--deny --principal User:<name> --operation <op>... and --topic/--group/--cluster/--transactional-id [--prefixed] [--host]");
        arguments.AddTo(command);
        cli.SetAction(command, async (parse, session, _) =>
        {
            var bindings = AclNames.Ordered(arguments.Bindings(parse)).ToList();
            using var admin = session.CreateAdmin();
            await ClusterAcls.CreateAsync(admin, bindings).ConfigureAwait(false);
            await session.WriteAsync(new { added = bindings.Select(AclOutput.Json).ToList() }, async writer =>
            {
                await writer.WriteLineAsync($"Added {bindings.Count} ACL{(bindings.Count == 1 ? "" : "s")}:").ConfigureAwait(false);
                await AclOutput.Table(bindings).WriteToAsync(writer).ConfigureAwait(false);
            }).ConfigureAwait(false);
            return ExitCodes.Ok;
        });
        return command;
    }
}
