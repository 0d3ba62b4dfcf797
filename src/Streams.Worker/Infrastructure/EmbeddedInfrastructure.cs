using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Streams.Worker.Infrastructure;

/// <summary>
/// The worker's infrastructure alone (the embedded broker and registry, or only the registry on a configured Kafka),
/// on a Generic Host of its own, composed exactly as inside the worker. For tests and benchmarks that keep one
/// cluster while worker hosts come and go.
/// </summary>
public sealed class EmbeddedInfrastructure : IAsyncDisposable
{
    private readonly IHost _host;

    private EmbeddedInfrastructure(IHost host)
    {
        _host = host;
        Endpoints = host.Services.GetRequiredService<StreamsEndpoints>();
    }

    public StreamsEndpoints Endpoints { get; }

    public static async Task<EmbeddedInfrastructure> StartAsync(StreamsOptions options, ILoggerFactory loggerFactory, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Services.AddSingleton(loggerFactory);
        builder.Services.AddSingleton(Options.Create(options));
        builder.Services.AddStreamsInfrastructure(options);
        var host = builder.Build();
        try
        {
            await host.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            host.Dispose();
            throw;
        }

        return new EmbeddedInfrastructure(host);
    }

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync().ConfigureAwait(false);
        _host.Dispose();
    }
}
