using System.CommandLine;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Streams.Cli.Infrastructure;
using Streams.Worker;

namespace Streams.Cli.Commands.Run;

/// <summary>
/// <c>streams dev</c>: the whole system on the embedded default (broker, registry, topologies, consumer groups,
/// simulator): the worker's own host (<see cref="WorkerApp"/>), run in this process. Arguments after <c>dev</c> are
/// the worker's (<c>--Streams:DataDirectory=...</c>); it stops on Ctrl+C or SIGTERM as the worker does.
/// </summary>
internal static class DevCommand
{
    public static Command Create(CliEnvironment cli)
    {
        var command = new Command("dev", "Run broker, registry, topologies, consumer groups and simulator (the worker) until Ctrl+C; extra arguments go to the worker, e.g. --Streams:DataDirectory=./data")
        {
            TreatUnmatchedTokensAsErrors = false,
        };
        cli.SetAction(command, async (parse, _, cancellationToken) =>
        {
            await using var app = WorkerApp.Build([.. parse.UnmatchedTokens]);
            try
            {
                await HostingAbstractionsHostExtensions.RunAsync(app, cancellationToken).ConfigureAwait(false);
            }
            catch (OptionsValidationException ex)
            {
                throw CliException.Usage(string.Join(Environment.NewLine, ex.Failures));
            }

            return Environment.ExitCode == 0 ? ExitCodes.Ok : ExitCodes.Failed;
        });
        return command;
    }
}
