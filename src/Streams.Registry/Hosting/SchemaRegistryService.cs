using Microsoft.Extensions.Options;

namespace Streams.Registry.Hosting;

/// <summary>
/// The schema registry as a service of a .NET Generic Host: reads <c>_schemas</c> to the end and starts serving
/// HTTP when the host starts, stops serving then closes its Kafka clients when it stops. Its options are read when
/// it starts, so they may depend on a service started before it (the embedded broker's bound address).
/// </summary>
public sealed class SchemaRegistryService(IOptions<SchemaRegistryOptions> options, ILoggerFactory loggerFactory) : IHostedService, IAsyncDisposable
{
    private SchemaRegistryHost? _registry;

    /// <summary>The running registry; throws before the host has started it.</summary>
    public SchemaRegistryHost Registry => _registry ?? throw new InvalidOperationException("The embedded schema registry has not started yet: it starts with the host.");

    /// <summary>The base URL actually bound (the real port when 0 was configured).</summary>
    public string Url => Registry.Url;

    public async Task StartAsync(CancellationToken cancellationToken) =>
        _registry = await SchemaRegistryHost.StartAsync(options.Value, loggerFactory, cancellationToken).ConfigureAwait(false);

    public Task StopAsync(CancellationToken cancellationToken) => DisposeAsync().AsTask();

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _registry, null) is { } registry)
        {
            await registry.DisposeAsync().ConfigureAwait(false);
        }
    }
}
