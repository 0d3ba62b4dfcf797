using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using Streams.Cli.Infrastructure;
using Streams.Registry.Hosting;

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
            var listenUrl = parse.GetValue(listen)!;
            return await ServerHost.RunAsync(
                session,
                services => services.AddSchemaRegistry(o =>
                {
                    o.KafkaBootstrapServers = session.Bootstrap;
                    o.Listen = listenUrl;
                }),
                sp =>
                {
                    var registry = sp.GetRequiredService<SchemaRegistryService>();
                    return session.WriteAsync(new { url = registry.Url, bootstrap = session.Bootstrap },
                        w => w.WriteLineAsync($"Schema registry listening on {registry.Url} (schemas in _schemas on {session.Bootstrap}); Ctrl+C stops it."));
                },
                cancellationToken).ConfigureAwait(false);
        });
        return command;
    }
}
