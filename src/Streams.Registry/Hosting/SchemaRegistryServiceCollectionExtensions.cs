using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Streams.Registry.Hosting;

/// <summary>Adds the embedded schema registry to a host.</summary>
public static class SchemaRegistryServiceCollectionExtensions
{
    /// <summary>
    /// Runs a schema registry with the host, after the services registered before it (register the embedded broker
    /// first when the registry stores its schemas there). Configure further with
    /// <c>services.AddOptions&lt;SchemaRegistryOptions&gt;().Configure&lt;TDependency&gt;(...)</c>; the options are
    /// validated when the registry starts, with messages naming the setting.
    /// </summary>
    public static IServiceCollection AddSchemaRegistry(this IServiceCollection services, Action<SchemaRegistryOptions>? configure = null)
    {
        var options = services.AddOptions<SchemaRegistryOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<SchemaRegistryOptions>, SchemaRegistryOptionsValidator>());
        services.TryAddSingleton<SchemaRegistryService>();
        services.AddHostedService(sp => sp.GetRequiredService<SchemaRegistryService>());
        return services;
    }
}
