using System.Runtime.InteropServices;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Streams.Cli.Infrastructure;

namespace Streams.Cli.Commands.Run;

/// <summary>
/// Runs server commands (<c>broker</c>, <c>registry</c>) on a Generic Host, as their own programs do, with their
/// logs on the command's error writer; being stopped (Ctrl+C or SIGTERM) is how such a command succeeds.
/// </summary>
internal static class ServerHost
{
    public static async Task<int> RunAsync(CliSession session, Action<IServiceCollection> services, Func<IServiceProvider, Task> started, CancellationToken cancellationToken)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Logging.ClearProviders().AddProvider(new WriterLoggerProvider(session.Error, LogLevel.Information));
        services(builder.Services);
        using var host = builder.Build();
        try
        {
            await host.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OptionsValidationException ex)
        {
            throw CliException.Usage(string.Join(Environment.NewLine, ex.Failures));
        }

        await started(host.Services).ConfigureAwait(false);
        await session.Output.FlushAsync(CancellationToken.None).ConfigureAwait(false);

        // Ctrl+C cancels the command; SIGTERM (a service manager, `kill`) must stop the server as cleanly, not end
        // the process where it stands.
        using var stopping = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
        {
            context.Cancel = true;
            stopping.Cancel();
        });
        try
        {
            await Task.Delay(Timeout.Infinite, stopping.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        await host.StopAsync(CancellationToken.None).ConfigureAwait(false);
        return ExitCodes.Ok;
    }
}
