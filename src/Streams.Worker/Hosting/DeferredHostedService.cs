using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Streams.Worker.Hosting;

/// <summary>
/// Runs <typeparamref name="TService"/> as a hosted service but builds it only when its turn to start comes. The
/// host builds every hosted service before starting the first, so a service built that early could not depend on
/// what an earlier one produced; deferred, the worker's services and the clients they inject are built after the
/// embedded broker and registry listen and know their addresses (port 0 included).
/// </summary>
internal sealed class DeferredHostedService<TService>(IServiceProvider services) : IHostedService, IAsyncDisposable
    where TService : class, IHostedService
{
    private TService? _service;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _service = ActivatorUtilities.CreateInstance<TService>(services);
        return _service.StartAsync(cancellationToken);
    }

    public Task StopAsync(CancellationToken cancellationToken) => _service?.StopAsync(cancellationToken) ?? Task.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        switch (_service)
        {
            case IAsyncDisposable asyncDisposable:
                await asyncDisposable.DisposeAsync().ConfigureAwait(false);
                break;
            case IDisposable disposable:
                disposable.Dispose();
                break;
        }
    }
}
