using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Confluent.SchemaRegistry;
using Streams.Consumers;
using Streams.Consumers.Notifications;
using Streams.KafkaConsole.Hosting;
using Streams.Messaging.Publishing;
using Streams.ServiceDefaults;
using Streams.Worker.Consumers;
using Streams.Worker.Health;
using Streams.Worker.Hosting;
using Streams.Worker.Infrastructure;
using Streams.Worker.Notifications;
using Streams.Worker.Observability;
using Streams.Worker.Processing;
using Streams.Worker.Simulation;

namespace Streams.Worker;

/// <summary>
/// Builds the worker: one host running, in this order, the embedded broker and registry (unless Kafka and a registry
/// are configured), provisioning, the Streamiz topologies, the independent consumer groups, the simulator, and the
/// HTTP endpoints (health, notifications), with OpenTelemetry and logging from <see cref="ServiceDefaultsExtensions"/>.
/// </summary>
public static class WorkerApp
{
    /// <summary>
    /// Builds the application from appsettings.json, environment variables and <paramref name="args"/> (sections
    /// <c>Streams</c>, <c>Kafka</c>, <c>SchemaRegistry</c>); <paramref name="configure"/> adjusts the options after
    /// binding (tests, benchmarks). Bad settings stop <c>StartAsync</c> with every problem named.
    /// </summary>
    public static WebApplication Build(string[] args, Action<StreamsOptions>? configure = null)
    {
        // appsettings.json is read once: reloading it on change makes ASP.NET Core watch the content root (the current
        // directory) recursively, an inotify watch on every directory below it at start (worker start to ready 4.6-4.9
        // s from /tmp's 34,000 directories, 2.0-2.2 s without) and an event on every write of the embedded broker's data
        // directory, which lies below it by default. The options are read once anyway;
        // `--hostBuilder:reloadConfigOnChange=true` turns reloading back on.
        var builder = WebApplication.CreateBuilder(["--hostBuilder:reloadConfigOnChange=false", .. args]);
        builder.AddServiceDefaults("streams-worker");
        AddWorkerLogFilters(builder.Logging);
        builder.Services.AddOptions<StreamsOptions>()
            .Configure<IConfiguration>((options, configuration) => Bind(configuration, options))
            .PostConfigure(options => configure?.Invoke(options))
            .ValidateOnStart();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<StreamsOptions>, StreamsOptionsValidator>());
        builder.Services.AddSingleton(sp => sp.GetRequiredService<IOptions<StreamsOptions>>().Value);

        // What runs embedded and where the HTTP endpoints listen are decided while composing, from the same configuration.
        var composed = ReadOptions(builder.Configuration);
        configure?.Invoke(composed);
        builder.WebHost.UseUrls(composed.HttpUrl);
        builder.Services.AddStreamsInfrastructure(composed);

        builder.Services.AddSingleton<ISchemaRegistryClient>(sp => new CachedSchemaRegistryClient(sp.GetRequiredService<StreamsEndpoints>().SchemaRegistry));
        builder.Services.AddEventPublisher((publisher, sp) =>
        {
            var endpoints = sp.GetRequiredService<StreamsEndpoints>();
            publisher.BootstrapServers = endpoints.BootstrapServers;
            publisher.SchemaRegistryUrl = endpoints.SchemaRegistryUrl;
            publisher.Source = "/streams-worker";
            foreach (var (name, value) in endpoints.ClientSettings("publisher"))
            {
                publisher.Kafka[name] = value;
            }
        });
        builder.Services.AddSingleton(sp => new AuditProjection(Path.Combine(sp.GetRequiredService<StreamsOptions>().DataDirectory, "audit.db")));
        builder.Services.AddSingleton<Notifier>();
        builder.Services.AddSingleton(sp => new NotificationHub(sp.GetRequiredService<StreamsOptions>().Notifications));
        builder.Services.AddSingleton(sp => new NotificationLog(
            sp.GetRequiredService<StreamsEndpoints>().ClientSettings("notifications-replay"),
            sp.GetRequiredService<ISchemaRegistryClient>(),
            [Streams.Contracts.Topics.TopicCatalog.SecurityAlerts.Name, Streams.Contracts.Topics.TopicCatalog.Orders.Name]));
        builder.Services.AddSingleton(sp => new NotificationStream(sp.GetRequiredService<NotificationHub>(), sp.GetRequiredService<NotificationLog>(), sp.GetRequiredService<StreamsOptions>().Notifications));
        builder.Services.AddSingleton<KafkaAdmin>();
        builder.Services.AddSingleton<WorkerCounters>();
        builder.Services.AddWorkerHealthChecks();
        // The live Kafka console at /, against the same cluster: as the operator's admin client (it can reset offsets), or,
        // when the cluster needs a SASL user and password, as each browser's signed-in user. Added after the embedded
        // infrastructure, its hosted shutdown closes the console's clients before the embedded broker stops.
        builder.Services.AddStreamsConsole((sp, console) =>
        {
            var endpoints = sp.GetRequiredService<StreamsEndpoints>();
            console.Kafka = endpoints.ClientSettings("admin");
            console.SchemaRegistry = endpoints.SchemaRegistry.ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
            console.TraceUrlTemplate = builder.Configuration["Streams:Console:TraceUrl"];
        });

        // Started in this order, after the embedded infrastructure (stopped in reverse): provisioning completes before
        // anything reads or writes; the shared clients close after their users and before the embedded broker.
        builder.Services.AddHostedService<SharedClientsShutdown>();
        builder.Services.AddDeferredHostedService<KafkaAdminWarmUp>();
        builder.Services.AddDeferredHostedService<Provisioning>();
        builder.Services.AddDeferredHostedService<TopologyService>();
        builder.Services.AddDeferredHostedService<ConsumerGroupsService>();
        builder.Services.AddDeferredHostedService<TrafficSimulator>();
        builder.Services.AddDeferredHostedService<StatusReporter>();
        builder.Services.AddDeferredHostedService<TopologyLagMonitor>();
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(30));

        var app = builder.Build();
        app.MapDefaultEndpoints();
        app.MapNotifications();
        app.MapStreamsConsole();
        return app;
    }

    /// <summary>
    /// Reads <see cref="StreamsOptions"/> from appsettings.json, environment variables and the command line: section
    /// <c>Streams</c>, plus the connection sections <c>Kafka</c> and <c>SchemaRegistry</c>.
    /// </summary>
    public static StreamsOptions ReadOptions(string[] args)
    {
        var configuration = new ConfigurationBuilder()
            .AddJsonFile("appsettings.json", optional: true)
            .AddEnvironmentVariables()
            .AddCommandLine(args)
            .Build();
        return ReadOptions(configuration);
    }

    /// <inheritdoc cref="ReadOptions(string[])"/>
    public static StreamsOptions ReadOptions(IConfiguration configuration)
    {
        var options = new StreamsOptions();
        Bind(configuration, options);
        return options;
    }

    private static void Bind(IConfiguration configuration, StreamsOptions options)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        configuration.GetSection("Streams").Bind(options);
        configuration.GetSection("Kafka").Bind(options.Kafka);
        configuration.GetSection("SchemaRegistry").Bind(options.SchemaRegistry);
    }

    /// <summary>The worker's logging: Streams' console format, and the chatty libraries it runs at warnings only.</summary>
    public static void ConfigureLogging(ILoggingBuilder logging)
    {
        logging.AddStreamsConsole();
        AddWorkerLogFilters(logging);
    }

    private static void AddWorkerLogFilters(ILoggingBuilder logging)
    {
        logging.AddFilter("Streamiz", LogLevel.Warning);
        logging.AddFilter("Streams.Broker.Groups", LogLevel.Warning);
    }
}
