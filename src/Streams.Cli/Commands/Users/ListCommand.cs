using System.CommandLine;
using Streams.Cli.Infrastructure;
using Streams.Operations.Users;

namespace Streams.Cli.Commands.Users;

/// <summary><c>streams users list [name...]</c>: SCRAM users with their mechanisms and iterations (never a password or hash).</summary>
internal static class ListCommand
{
    public static Command Create(CliEnvironment cli)
    {
        var names = new Argument<string[]>("names") { Description = "Only these users (default: all)", Arity = ArgumentArity.ZeroOrMore };
        var command = new Command("list", "List SCRAM users: name, mechanism, iterations") { names };
        cli.SetAction(command, async (parse, session, _) =>
        {
            var named = parse.GetValue(names) ?? [];
            List<ScramUser> users;
            if (named.Length == 0)
            {
                users = await ScramUsers.DescribeAllAsync(session.CreateAdmin).ConfigureAwait(false);
            }
            else
            {
                using var admin = session.CreateAdmin();
                users = await ScramUsers.DescribeAsync(admin, named).ConfigureAwait(false);
            }

            var table = new TextTable("USER", "MECHANISM", "ITERATIONS");
            users.ForEach(u => table.Add(u.User, u.Mechanism, u.Iterations));
            await session.WriteAsync(users, table).ConfigureAwait(false);
            return ExitCodes.Ok;
        });
        return command;
    }
}
