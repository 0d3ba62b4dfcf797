using System.CommandLine;
using Microsoft.Extensions.Logging;
using Streams.Cli.Infrastructure;
using Streams.Registry;

namespace Streams.Cli.Commands.Run;

/// <summary>
/// <c>streams registry</c>: runs the embedded schema registry alone until Ctrl+C, storing schemas on the cluster
/// named by <c>--bootstrap</c>.
/// </summary>
internal static class RegistryCommand
{
    public static Command Create(CliEnvironment cli)
    {
        var listen = new Option<string>("--listen") { Description = "URL to serve on (port 0 picks a free port)", DefaultValueFactory = _ => "http://127.0.0.1:8081" };
        var command = new Command("registry", "Run the embedded schema registry (on the --bootstrap cluster) until Ctrl+C") { listen };
        cli.SetAction(command, async (parse, session, cancellationToken) =>
        {
            using var loggerFactory = LoggerFactory.Create(b => b.AddProvider(new WriterLoggerProvider(session.Error, LogLevel.Information)));
            var options = new SchemaRegistryOptions { KafkaBootstrapServers = session.Bootstrap, Listen = parse.GetValue(listen)! };
            await using var registry = await SchemaRegistryHost.StartAsync(options, loggerFactory, cancellationToken).ConfigureAwait(false);
            await session.WriteAsync(new { url = registry.Url, bootstrap = session.Bootstrap },
                w => w.WriteLineAsync($"Schema registry listening on {registry.Url} (schemas in {options.Topic} on {session.Bootstrap}); Ctrl+C stops it.")).ConfigureAwait(false);
            await session.Output.FlushAsync(CancellationToken.None).ConfigureAwait(false);
            await BrokerCommand.WaitForStopAsync(cancellationToken).ConfigureAwait(false);
            return ExitCodes.Ok;
        });
        return command;
    }
}
