using System.CommandLine;
using Streams.Cli.Infrastructure;
using Acls = Streams.Cli.Commands.Acls;
using App = Streams.Cli.Commands.App;
using ConsoleUi = Streams.Cli.Commands.Console;
using Groups = Streams.Cli.Commands.Groups;
using Perf = Streams.Cli.Commands.Perf;
using Records = Streams.Cli.Commands.Records;
using Replay = Streams.Cli.Commands.Replay;
using Run = Streams.Cli.Commands.Run;
using Schemas = Streams.Cli.Commands.Schemas;
using Topics = Streams.Cli.Commands.Topics;
using Transactions = Streams.Cli.Commands.Transactions;
using Users = Streams.Cli.Commands.Users;

namespace Streams.Cli;

/// <summary>
/// The <c>streams</c> command line as a library call, so tests run it in-process with their own streams and
/// cancellation; <c>Program</c> only passes the console's.
/// </summary>
public static class StreamsCli
{
    /// <summary>Runs one command line and returns its exit code: 0 ok, 1 the operation failed, 2 usage error.</summary>
    /// <param name="args">The arguments after <c>streams</c>.</param>
    /// <param name="output">Results (tables or JSON).</param>
    /// <param name="error">Errors, warnings and progress notes, kept apart so <paramref name="output"/> stays parseable.</param>
    /// <param name="input">Standard input (for <c>produce</c>); nothing when null.</param>
    /// <param name="cancellationToken">Stops long-running commands (<c>tail --follow</c>) as Ctrl+C does.</param>
    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, TextReader? input = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);

        var options = new GlobalOptions();
        var cli = new CliEnvironment(options, output, error, input ?? TextReader.Null);
        var root = new RootCommand("streams: operate a Kafka cluster (or the embedded broker) and the Streams application's topics, groups and schemas.");
        options.AddTo(root);

        // A new command is one new file plus one line here.
        root.Add(Parent("groups", "Consumer groups: state, lag, offset resets",
            Groups.ListCommand.Create(cli),
            Groups.DescribeCommand.Create(cli),
            Groups.ResetOffsetsCommand.Create(cli)));
        root.Add(Parent("topics", "Topics: inspect, change, and make the cluster match the topic catalog",
            Topics.ListCommand.Create(cli),
            Topics.DescribeCommand.Create(cli),
            Topics.CreateCommand.Create(cli),
            Topics.AlterCommand.Create(cli),
            Topics.DeleteCommand.Create(cli),
            Topics.ApplyCommand.Create(cli)));
        root.Add(Parent("transactions", "Transactions: list and describe them, find and abort hanging ones",
            Transactions.ListCommand.Create(cli),
            Transactions.DescribeCommand.Create(cli),
            Transactions.AbortCommand.Create(cli),
            Transactions.FindHangingCommand.Create(cli)));
        root.Add(Parent("acls", "ACLs: list, add, remove, and make the cluster grant what the topic catalog says",
            Acls.ListCommand.Create(cli),
            Acls.AddCommand.Create(cli),
            Acls.RemoveCommand.Create(cli),
            Acls.ApplyCommand.Create(cli)));
        root.Add(Parent("users", "SCRAM users (SCRAM-SHA-256/512 credentials)",
            Users.AddCommand.Create(cli),
            Users.ListCommand.Create(cli),
            Users.RemoveCommand.Create(cli)));
        root.Add(Parent("app", "Streamiz applications",
            App.ResetCommand.Create(cli)));
        root.Add(Parent("schemas", "Schema registry subjects",
            Schemas.ListCommand.Create(cli),
            Schemas.GetCommand.Create(cli),
            Schemas.RegisterCommand.Create(cli),
            Schemas.CheckCommand.Create(cli)));
        root.Add(Records.TailCommand.Create(cli));
        root.Add(Records.ProduceCommand.Create(cli));
        root.Add(Replay.ReplayCommand.Create(cli));
        root.Add(Parent("perf", "Load generators: throughput and latency percentiles",
            Perf.ProduceCommand.Create(cli),
            Perf.ConsumeCommand.Create(cli)));
        root.Add(Parent("dead-letters", "Dead letters: inspect them, send them back once the cause is fixed", Commands.DeadLetters.ListCommand.Create(cli), Commands.DeadLetters.ShowCommand.Create(cli), Commands.DeadLetters.RedriveCommand.Create(cli)));
        root.Add(ConsoleUi.ConsoleCommand.Create(cli));
        root.Add(Run.DevCommand.Create(cli));
        root.Add(Run.BrokerCommand.Create(cli));
        root.Add(Run.RegistryCommand.Create(cli));

        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            // System.CommandLine answers parse errors with 1; scripts must be able to tell "wrong command line" (2)
            // from "the cluster said no" (1).
            foreach (var parseError in parse.Errors)
            {
                await error.WriteLineAsync($"error: {parseError.Message}").ConfigureAwait(false);
            }

            await error.WriteLineAsync("Run 'streams --help' (or '<command> --help') for usage.").ConfigureAwait(false);
            return ExitCodes.Usage;
        }

        return await parse.InvokeAsync(
            new InvocationConfiguration { Output = output, Error = error, ProcessTerminationTimeout = null },
            cancellationToken).ConfigureAwait(false);
    }

    private static Command Parent(string name, string description, params Command[] children)
    {
        var command = new Command(name, description);
        foreach (var child in children)
        {
            command.Add(child);
        }

        return command;
    }
}
