using Confluent.Kafka;
using Confluent.SchemaRegistry;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Streams.Broker;
using Streams.Broker.Hosting;
using Streams.Registry;
using Streams.Registry.Hosting;
using Streams.Registry.Security;
using Streams.Worker.Security;

namespace Streams.Worker.Infrastructure;

/// <summary>
/// Where the worker's Kafka and schema registry come from: the configured ones, or the zero-setup default, the
/// embedded broker and registry as services of the same host. Added before the worker's own services, they start
/// before them and stop after them, so the last commits and flushes still reach them.
/// </summary>
public static class StreamsInfrastructure
{
    /// <summary>
    /// Adds the embedded broker when <c>Kafka:BootstrapServers</c> is not configured and the embedded registry when
    /// <c>SchemaRegistry:Url</c> is not, and <see cref="StreamsEndpoints"/>, resolved once both listen. With
    /// <c>Streams:Security:Enabled</c> the embedded broker runs secured (<see cref="LocalSecurity"/>): its catalog ACLs
    /// are applied before the registry starts, and every client authenticates as its service; the embedded registry
    /// then requires basic auth (<see cref="LocalSecurity.RegistryUsers"/>) and the worker's registry client logs in.
    /// </summary>
    /// <param name="services">The worker's services.</param>
    /// <param name="configured">The configuration as composed: which of Kafka and the registry are given decides
    /// what runs embedded; the values themselves are read from <see cref="IOptions{StreamsOptions}"/>.</param>
    public static IServiceCollection AddStreamsInfrastructure(this IServiceCollection services, StreamsOptions configured)
    {
        ArgumentNullException.ThrowIfNull(configured);
        var embeddedBroker = string.IsNullOrWhiteSpace(configured.Kafka.BootstrapServers);
        var embeddedRegistry = string.IsNullOrWhiteSpace(configured.SchemaRegistry.Url);
        var secured = embeddedBroker && configured.Security.Enabled;
        if (embeddedBroker)
        {
            services.AddKafkaBroker(_ => { });
            services.AddOptions<BrokerOptions>().Configure<IServiceProvider>((broker, sp) =>
            {
                var streams = sp.GetRequiredService<IOptions<StreamsOptions>>().Value;
                broker.Port = streams.EmbeddedKafkaPort;
                broker.DataDirectory = Path.Combine(streams.DataDirectory, "broker");
                if (secured)
                {
                    sp.GetRequiredService<LocalSecurity>().ConfigureBroker(broker, broker.Host, streams.EmbeddedKafkaPort);
                }
            });
        }

        if (secured)
        {
            services.AddSingleton(sp => LocalSecurity.Ensure(sp.GetRequiredService<IOptions<StreamsOptions>>().Value.DataDirectory));

            // A hosted service added after the broker's and before the registry's starts between them.
            services.AddHostedService<CatalogAclsBootstrap>();
        }

        if (embeddedRegistry)
        {
            services.AddSchemaRegistry();
            services.AddOptions<SchemaRegistryOptions>().Configure<IServiceProvider>((registry, sp) =>
            {
                var options = sp.GetRequiredService<IOptions<StreamsOptions>>().Value;
                var kafka = KafkaOf(sp, options, embeddedBroker, secured);
                registry.KafkaBootstrapServers = kafka.BootstrapServers;
                registry.Listen = $"http://127.0.0.1:{options.EmbeddedRegistryPort}";
                var registryClient = new StreamsEndpoints(kafka, new SchemaRegistryConfig(), embeddedBroker) { Credentials = CredentialsOf(sp, options, secured) }
                    .ClientSettings(ServiceClients.Registry);
                foreach (var setting in registryClient.Where(s => s.Key is not "bootstrap.servers" and not "client.id"))
                {
                    registry.KafkaSettings[setting.Key] = setting.Value;
                }

                // Secured, the registry's HTTP side asks for basic auth too: anonymous requests get 401.
                if (secured)
                {
                    var security = sp.GetRequiredService<LocalSecurity>();
                    foreach (var (user, role) in LocalSecurity.RegistryUsers)
                    {
                        registry.Users.Add(new RegistryUser { Name = user, Password = security.RegistryPasswords[user], Role = role });
                    }
                }
            });
        }

        services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<StreamsOptions>>().Value;
            var registry = new SchemaRegistryConfig();
            foreach (var setting in options.SchemaRegistry)
            {
                registry.Set(setting.Key, setting.Value);
            }

            if (embeddedRegistry)
            {
                registry.Url = sp.GetRequiredService<SchemaRegistryService>().Url;
                if (secured)
                {
                    registry.BasicAuthCredentialsSource = AuthCredentialsSource.UserInfo;
                    registry.BasicAuthUserInfo = sp.GetRequiredService<LocalSecurity>().RegistryUserInfo(LocalSecurity.RegistryWorkerUser);
                }
            }

            return new StreamsEndpoints(KafkaOf(sp, options, embeddedBroker, secured), registry, embeddedBroker)
            {
                ClientIds = new Dictionary<string, string>(options.ClientIds, StringComparer.Ordinal),
                Credentials = CredentialsOf(sp, options, secured),
            };
        });
        return services;
    }

    /// <summary>
    /// The configured Kafka settings, pointed at the embedded broker when it runs (a copy each time); for the secured
    /// one, its protocol, mechanism and CA (the user is per service, <see cref="CredentialsOf"/>).
    /// </summary>
    private static ClientConfig KafkaOf(IServiceProvider services, StreamsOptions options, bool embeddedBroker, bool secured)
    {
        var kafka = new ClientConfig(options.Kafka.ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal));
        if (embeddedBroker)
        {
            kafka.BootstrapServers = services.GetRequiredService<KafkaBrokerService>().BootstrapServers;
        }

        if (secured)
        {
            var security = services.GetRequiredService<LocalSecurity>();
            kafka.SecurityProtocol = SecurityProtocol.SaslSsl;
            kafka.SaslMechanism = SaslMechanism.ScramSha256;
            kafka.SslCaLocation = security.CaPath;
        }

        return kafka;
    }

    /// <summary>Each service's SASL user: the secured embedded broker's generated ones, else <c>Streams:Security:Principals</c>.</summary>
    private static Dictionary<string, ServiceCredentials> CredentialsOf(IServiceProvider services, StreamsOptions options, bool secured)
    {
        if (!secured)
        {
            return new Dictionary<string, ServiceCredentials>(options.Security.Principals, StringComparer.OrdinalIgnoreCase);
        }

        var security = services.GetRequiredService<LocalSecurity>();
        return ServiceClients.Principals.ToDictionary(
            p => p.Key,
            p =>
            {
                var user = Contracts.Topics.ServicePrincipals.UserName(p.Value);
                return new ServiceCredentials { Username = user, Password = security.Passwords[user] };
            },
            StringComparer.OrdinalIgnoreCase);
    }
}
