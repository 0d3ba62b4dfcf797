using System.CommandLine;
using System.Reflection;
using Streams.Cli.Infrastructure;

namespace Streams.Cli.Commands.Run;

/// <summary>
/// <c>streams dev</c>: the whole system on the embedded default (broker, registry, topologies, consumer groups,
/// simulator): the worker itself, run in this process through its own entry point rather than a second copy of
/// its start-up code. Arguments after <c>dev</c> are the worker's (<c>--Streams:DataDirectory=...</c>); it stops on
/// Ctrl+C or SIGTERM as the worker does.
/// </summary>
internal static class DevCommand
{
    public static Command Create(CliEnvironment cli)
    {
        var command = new Command("dev", "Run broker, registry, topologies, consumer groups and simulator (the worker) until Ctrl+C; extra arguments go to the worker, e.g. --Streams:DataDirectory=./data")
        {
            TreatUnmatchedTokensAsErrors = false,
        };
        cli.SetAction(command, async (parse, _, _) =>
        {
            var entryPoint = typeof(Streams.Worker.WorkerApp).Assembly.EntryPoint
                ?? throw new CliException("The worker assembly has no entry point.");
            string[] workerArgs = [.. parse.UnmatchedTokens];
            try
            {
                // The worker's Main blocks until its host stops; keep it off the caller's thread.
                await Task.Run(() => entryPoint.Invoke(null, entryPoint.GetParameters().Length == 0 ? null : [workerArgs])).ConfigureAwait(false);
            }
            catch (TargetInvocationException e) when (e.InnerException is not null)
            {
                throw new CliException($"The worker failed: {e.InnerException.Message}");
            }

            return Environment.ExitCode == 0 ? ExitCodes.Ok : ExitCodes.Failed;
        });
        return command;
    }
}
