using System.CommandLine;
using Streams.Cli.Infrastructure;
using Streams.Operations.Users;

namespace Streams.Cli.Commands.Users;

/// <summary>
/// <c>streams users add &lt;name&gt;</c>: creates a SCRAM user, or gives it a new password (kafka-configs.sh
/// <c>--alter --add-config 'SCRAM-SHA-256=[iterations=8192,password=...]'</c>). The password comes from
/// <c>--password-file</c> or the first line of standard input, so it need not land in shell history; <c>--password</c>
/// is there for scripts that already hold it.
/// </summary>
internal static class AddCommand
{
    public static Command Create(CliEnvironment cli)
    {
        var user = new NameArgument("name", "--user", "SCRAM user name (the principal is User:<name>)");
        var password = new Option<string?>("--password") { Description = "The password (visible in shell history and ps: prefer --password-file or standard input)" };
        var passwordFile = new Option<FileInfo?>("--password-file") { Description = "A file whose first line is the password" };
        var mechanism = new Option<string>("--mechanism")
        {
            Description = "SCRAM-SHA-256 or SCRAM-SHA-512",
            DefaultValueFactory = _ => "SCRAM-SHA-256",
        };
        var iterations = new Option<int>("--iterations")
        {
            Description = $"Salting iterations, {ScramUsers.MinIterations}-{ScramUsers.MaxIterations}",
            DefaultValueFactory = _ => ScramUsers.DefaultIterations,
        };
        var command = new Command("add", "Create a SCRAM user or change its password (password from --password-file, standard input, or --password)") { password, passwordFile, mechanism, iterations };
        user.AddTo(command);
        command.Validators.Add(result =>
        {
            if (result.GetValue(password) is not null && result.GetValue(passwordFile) is not null)
            {
                result.AddError("give --password or --password-file, not both");
            }
        });
        cli.SetAction(command, async (parse, session, cancellationToken) =>
        {
            var name = user.Read(parse);
            var scram = ScramUsers.ParseMechanism(parse.GetValue(mechanism)!);
            var secret = parse.GetValue(password)
                ?? (parse.GetValue(passwordFile) is { } file ? await FirstLineAsync(file, cancellationToken).ConfigureAwait(false) : null)
                ?? await session.Input.ReadLineAsync(cancellationToken).ConfigureAwait(false);
            if (string.IsNullOrEmpty(secret))
            {
                throw CliException.Usage("give the password: on standard input, with --password-file, or --password");
            }

            using var admin = session.CreateAdmin();
            await ScramUsers.UpsertAsync(admin, name, secret, scram, parse.GetValue(iterations)).ConfigureAwait(false);
            var shown = ScramUsers.Format(scram);
            await session.WriteAsync(new { user = name, mechanism = shown, iterations = parse.GetValue(iterations) },
                w => w.WriteLineAsync($"Set the {shown} credential of user {name} (User:{name}).")).ConfigureAwait(false);
            return ExitCodes.Ok;
        });
        return command;
    }

    private static async Task<string?> FirstLineAsync(FileInfo file, CancellationToken cancellationToken)
    {
        if (!file.Exists)
        {
            throw CliException.Usage($"--password-file '{file.FullName}' does not exist");
        }

        using var reader = file.OpenText();
        return await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false);
    }
}
