using Confluent.SchemaRegistry;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Streams.Messaging.Publishing;

/// <summary>Registers <see cref="EventPublisher"/> for applications that publish contract events.</summary>
public static class EventPublisherServiceCollectionExtensions
{
    /// <summary>
    /// Adds one <see cref="EventPublisher"/> for the application (it is thread-safe; inject it anywhere), and a cached
    /// <see cref="ISchemaRegistryClient"/> for <see cref="EventPublisherOptions.SchemaRegistryUrl"/> unless the
    /// application registered its own (for example with credentials).
    /// </summary>
    /// <example>
    /// <code>
    /// builder.Services.AddEventPublisher(o =>
    /// {
    ///     o.BootstrapServers = "kafka:9092";
    ///     o.SchemaRegistryUrl = "http://schema-registry:8081";
    ///     o.Kafka["security.protocol"] = "SASL_SSL"; // any librdkafka producer setting
    /// });
    /// ...
    /// await publisher.PublishAsync(new ProductAddedToCart { ... });
    /// </code>
    /// </example>
    public static IServiceCollection AddEventPublisher(this IServiceCollection services, Action<EventPublisherOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        var options = new EventPublisherOptions();
        configure(options);
        services.TryAddSingleton<ISchemaRegistryClient>(_ => new CachedSchemaRegistryClient(new SchemaRegistryConfig { Url = options.SchemaRegistryUrl }));
        services.TryAddSingleton(sp => new EventPublisher(options, sp.GetRequiredService<ISchemaRegistryClient>()));
        return services;
    }

    /// <summary>
    /// As <see cref="AddEventPublisher(IServiceCollection, Action{EventPublisherOptions})"/>, with options built from
    /// other services when the publisher is first needed (for example an address only known once a server started).
    /// The registry client registered here reads <see cref="EventPublisherOptions.SchemaRegistryUrl"/> then too.
    /// </summary>
    public static IServiceCollection AddEventPublisher(this IServiceCollection services, Action<EventPublisherOptions, IServiceProvider> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        EventPublisherOptions? options = null;
        EventPublisherOptions Options(IServiceProvider sp)
        {
            if (options is null)
            {
                var built = new EventPublisherOptions();
                configure(built, sp);
                options = built;
            }

            return options;
        }

        services.TryAddSingleton<ISchemaRegistryClient>(sp => new CachedSchemaRegistryClient(new SchemaRegistryConfig { Url = Options(sp).SchemaRegistryUrl }));
        services.TryAddSingleton(sp => new EventPublisher(Options(sp), sp.GetRequiredService<ISchemaRegistryClient>()));
        return services;
    }
}
