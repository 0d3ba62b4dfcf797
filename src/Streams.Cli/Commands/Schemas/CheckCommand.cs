using System.CommandLine;
using Streams.Cli.Infrastructure;

namespace Streams.Cli.Commands.Schemas;

/// <summary>
/// <c>streams schemas check &lt;subject&gt;</c>: would the registry accept this schema under its compatibility rule?
/// Exit code 0 when compatible and 1 when not, so a CI step can gate a schema change on it.
/// </summary>
internal static class CheckCommand
{
    public static Command Create(CliEnvironment cli)
    {
        var subject = new Argument<string>("subject") { Description = "Registry subject" };
        var source = new SchemaSource();
        var command = new Command("check", "Test a schema's compatibility with a subject (exit 1 when incompatible)") { subject };
        source.AddTo(command);
        cli.SetAction(command, async (parse, session, cancellationToken) =>
        {
            var name = parse.GetRequiredValue(subject);
            var schema = await source.ReadAsync(parse, cancellationToken).ConfigureAwait(false);
            using var registry = session.CreateRegistryClient();
            var compatible = await registry.IsCompatibleAsync(name, schema).ConfigureAwait(false);
            await session.WriteAsync(new { subject = name, compatible },
                w => w.WriteLineAsync(compatible ? $"Compatible with {name}." : $"NOT compatible with {name}.")).ConfigureAwait(false);
            return compatible ? ExitCodes.Ok : ExitCodes.Failed;
        });
        return command;
    }
}
