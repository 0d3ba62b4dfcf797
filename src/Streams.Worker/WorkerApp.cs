using Confluent.SchemaRegistry;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Streams.Consumers;
using Streams.Consumers.Notifications;
using Streams.Messaging.Publishing;
using Streams.Worker.Consumers;
using Streams.Worker.Health;
using Streams.Worker.Infrastructure;
using Streams.Worker.Notifications;
using Streams.Worker.Observability;
using Streams.Worker.Processing;
using Streams.Worker.Simulation;

namespace Streams.Worker;

/// <summary>
/// Builds the worker: the Streamiz topologies, the independent consumer groups, the simulator, health and
/// notification endpoints and OpenTelemetry, on the configured Kafka and registry or on embedded ones.
/// </summary>
public static class WorkerApp
{
    /// <summary>Builds the application; <paramref name="infrastructure"/> must outlive it (it is stopped after the host).</summary>
    public static WebApplication Build(string[] args, EmbeddedInfrastructure infrastructure, StreamsOptions options)
    {
        ArgumentNullException.ThrowIfNull(infrastructure);
        var builder = WebApplication.CreateBuilder(args);
        ConfigureLogging(builder.Logging);
        builder.WebHost.UseUrls(options.HttpUrl);

        var endpoints = infrastructure.Endpoints;
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton(endpoints);
        builder.Services.AddSingleton<ISchemaRegistryClient>(_ => new CachedSchemaRegistryClient(endpoints.SchemaRegistry));
        builder.Services.AddEventPublisher(publisher =>
        {
            publisher.BootstrapServers = endpoints.BootstrapServers;
            publisher.SchemaRegistryUrl = endpoints.SchemaRegistryUrl;
            endpoints.CopyKafkaSettingsTo(publisher.Kafka);
        });
        builder.Services.AddSingleton(_ => new AuditProjection(Path.Combine(options.DataDirectory, "audit.db")));
        builder.Services.AddSingleton<Notifier>();
        builder.Services.AddSingleton<NotificationHub>();
        builder.Services.AddSingleton<WorkerHealth>();
        builder.Services.AddSingleton<KafkaAdmin>();
        builder.Services.AddSingleton<WorkerCounters>();

        // Started in this order: provisioning completes before anything reads or writes.
        builder.Services.AddHostedService<Provisioning>();
        builder.Services.AddHostedService<TopologyService>();
        builder.Services.AddHostedService<ConsumerGroupsService>();
        builder.Services.AddHostedService<TrafficSimulator>();
        builder.Services.AddHostedService<StatusReporter>();
        builder.Services.AddHostedService<TopologyLagMonitor>();
        builder.Services.AddStreamsTelemetry("streams-worker");
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(30));

        var app = builder.Build();
        app.MapWorkerHealth();
        app.MapNotifications();
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
        ArgumentNullException.ThrowIfNull(configuration);
        var options = configuration.GetSection("Streams").Get<StreamsOptions>() ?? new StreamsOptions();
        configuration.GetSection("Kafka").Bind(options.Kafka);
        configuration.GetSection("SchemaRegistry").Bind(options.SchemaRegistry);
        return options;
    }

    public static void ConfigureLogging(ILoggingBuilder logging)
    {
        logging.ClearProviders();
        logging.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat = "HH:mm:ss ";
        });
        logging.AddFilter("Streamiz", LogLevel.Warning);
        logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        logging.AddFilter("Microsoft.Hosting", LogLevel.Warning);
        logging.AddFilter("Streams.Broker.Groups", LogLevel.Warning);
    }
}
