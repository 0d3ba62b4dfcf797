using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Streams.Broker.Hosting;

/// <summary>Adds the embedded Kafka broker to a host.</summary>
public static class BrokerServiceCollectionExtensions
{
    /// <summary>
    /// Runs an embedded broker with the host. Its options are validated when the host starts (every broker setting
    /// by its Kafka name, type and range), so a bad setting stops the process with a message naming it.
    /// </summary>
    /// <example>
    /// <code>
    /// builder.Services.AddKafkaBroker(o => { o.Port = 9092; o.DataDirectory = "data/broker"; });
    /// // later, once the host started: sp.GetRequiredService&lt;KafkaBrokerService&gt;().BootstrapServers
    /// </code>
    /// </example>
    public static IServiceCollection AddKafkaBroker(this IServiceCollection services, Action<BrokerOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        services.AddOptions<BrokerOptions>().Configure(configure).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<BrokerOptions>, BrokerOptionsValidator>());
        services.TryAddSingleton<KafkaBrokerService>();
        services.AddHostedService(sp => sp.GetRequiredService<KafkaBrokerService>());
        return services;
    }
}
