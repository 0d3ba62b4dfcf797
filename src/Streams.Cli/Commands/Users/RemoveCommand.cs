using System.CommandLine;
using Streams.Cli.Infrastructure;
using Streams.Operations.Users;

namespace Streams.Cli.Commands.Users;

/// <summary><c>streams users remove &lt;name&gt;</c>: deletes the user's SCRAM credentials, all of them or one mechanism's.</summary>
internal static class RemoveCommand
{
    public static Command Create(CliEnvironment cli)
    {
        var user = new NameArgument("name", "--user", "SCRAM user name");
        var mechanism = new Option<string?>("--mechanism") { Description = "Only this mechanism's credential (default: every one the user has)" };
        var command = new Command("remove", "Delete a SCRAM user's credentials (its ACLs stay: streams acls remove --principal User:<name>)") { mechanism };
        user.AddTo(command);
        cli.SetAction(command, async (parse, session, _) =>
        {
            var name = user.Read(parse);
            var only = parse.GetValue(mechanism) is { } given ? ScramUsers.ParseMechanism(given) : (Confluent.Kafka.Admin.ScramMechanism?)null;
            using var admin = session.CreateAdmin();
            var removed = await ScramUsers.DeleteAsync(admin, name, only).ConfigureAwait(false);
            await session.WriteAsync(new { user = name, removed },
                w => w.WriteLineAsync($"Removed the {string.Join(" and ", removed)} credential{(removed.Count == 1 ? "" : "s")} of user {name}.")).ConfigureAwait(false);
            return ExitCodes.Ok;
        });
        return command;
    }
}
