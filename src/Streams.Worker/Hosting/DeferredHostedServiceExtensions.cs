using Microsoft.Extensions.DependencyInjection;

namespace Streams.Worker.Hosting;

internal static class DeferredHostedServiceExtensions
{
    /// <summary>Adds a hosted service built when it starts (see <see cref="DeferredHostedService{TService}"/>); services start in the order added.</summary>
    public static IServiceCollection AddDeferredHostedService<TService>(this IServiceCollection services)
        where TService : class, Microsoft.Extensions.Hosting.IHostedService =>
        services.AddHostedService(sp => new DeferredHostedService<TService>(sp));
}
