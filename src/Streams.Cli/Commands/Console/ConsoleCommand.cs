using System.CommandLine;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Streams.Cli.Infrastructure;
using Streams.KafkaConsole.Hosting;

namespace Streams.Cli.Commands.Console;

/// <summary>
/// <c>streams console</c>: the live Kafka console (the worker's, at <c>/</c>) against any cluster, with the same
/// connection options as every command (<c>--bootstrap</c>, <c>--registry</c>, <c>--config</c>, <c>-X</c>). Loopback
/// by default: it can reset offsets. Against a SASL PLAIN/SCRAM listener each browser signs in with its own SASL user
/// (see <see cref="Streams.KafkaConsole.ConsoleOptions.Kafka"/>); otherwise it has no sign-in.
/// </summary>
internal static class ConsoleCommand
{
    public static Command Create(CliEnvironment cli)
    {
        var listen = new Option<string>("--listen") { Description = "URL to serve the console on", DefaultValueFactory = _ => "http://127.0.0.1:8090" };
        var traceUrl = new Option<string?>("--trace-url") { Description = "Trace view of your OpenTelemetry backend, {traceId} standing for the id (e.g. http://localhost:18888/traces/detail/{traceId})" };
        var command = new Command("console", "Serve the live Kafka console (topics, live tail, groups and lag, replay, schemas) until Ctrl+C") { listen, traceUrl };
        cli.SetAction(command, async (parse, session, cancellationToken) =>
        {
            // No appsettings.json reloading: it would watch the current directory recursively (one inotify watch per
            // directory below it) for a command configured by its arguments.
            var builder = WebApplication.CreateBuilder(new WebApplicationOptions
            {
                ApplicationName = typeof(ConsoleCommand).Assembly.GetName().Name,
                Args = ["--hostBuilder:reloadConfigOnChange=false"],
            });
            builder.Logging.ClearProviders().AddProvider(new WriterLoggerProvider(session.Error, LogLevel.Warning));
            builder.WebHost.UseUrls(parse.GetValue(listen)!);
            var kafka = session.ClientProperties("console");
            var registry = session.RegistrySettings();
            var trace = parse.GetValue(traceUrl);
            builder.Services.AddStreamsConsole((_, options) =>
            {
                options.Kafka = kafka;
                options.SchemaRegistry = registry;
                options.TraceUrlTemplate = trace;
            });
            await using var app = builder.Build();
            app.MapStreamsConsole();
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
            var url = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault();
            await session.WriteAsync(new { url, bootstrap = session.Bootstrap, registry = session.RegistryUrl },
                w => w.WriteLineAsync($"Console on {url} (cluster {session.Bootstrap}, registry {session.RegistryUrl}); Ctrl+C stops it.")).ConfigureAwait(false);
            await session.Output.FlushAsync(CancellationToken.None).ConfigureAwait(false);
            // Ctrl+C cancels the command; SIGTERM (a service manager, `kill`) stops the web host's lifetime: either ends it.
            using var stopped = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, app.Lifetime.ApplicationStopping);
            try
            {
                await Task.Delay(Timeout.Infinite, stopped.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }

            await app.StopAsync(CancellationToken.None).ConfigureAwait(false);
            return ExitCodes.Ok;
        });
        return command;
    }
}
