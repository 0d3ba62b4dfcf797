using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Streams.ServiceDefaults;

/// <summary>
/// Wiring every Streams process shares (broker, registry, worker, CLI servers), done once: single-line console
/// logging, OpenTelemetry and health checks. Configuration comes from the host (appsettings, environment, command
/// line), so <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> and the other <c>OTEL_*</c> settings work from any of them.
/// </summary>
public static class ServiceDefaultsExtensions
{
    /// <summary>Activity sources and meters of Streams' own code (the messaging library's spans and metrics).</summary>
    public const string StreamsTelemetryName = "Streams.Messaging";

    /// <summary>The embedded broker's meter: bytes and records per topic, requests per API, connections, partitions, cleaner.</summary>
    public const string BrokerTelemetryName = "Streams.Broker";

    /// <summary>Health checks tagged with this answer <c>/health/live</c>; every check answers <c>/health/ready</c>.</summary>
    public const string LiveTag = "live";

    /// <summary>
    /// Adds console logging, OpenTelemetry and a liveness check to <paramref name="builder"/>. Traces, metrics and
    /// logs are exported over OTLP when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is configured (other <c>OTEL_*</c> settings
    /// apply); without it no SDK is started.
    /// </summary>
    public static TBuilder AddServiceDefaults<TBuilder>(this TBuilder builder, string serviceName)
        where TBuilder : IHostApplicationBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Logging.AddStreamsConsole();
        builder.AddStreamsTelemetry(serviceName);
        builder.Services.AddHealthChecks().AddCheck("process", () => HealthCheckResult.Healthy(), [LiveTag]);
        return builder;
    }

    /// <summary>
    /// The console logging of every Streams process: one line per message with a timestamp, and the framework's
    /// per-request and lifecycle chatter at warnings only (it drowns the processes' own messages; failures still show).
    /// </summary>
    public static ILoggingBuilder AddStreamsConsole(this ILoggingBuilder logging)
    {
        ArgumentNullException.ThrowIfNull(logging);
        logging.ClearProviders();
        logging.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat = "HH:mm:ss.fff ";
        });
        logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        logging.AddFilter("Microsoft.Hosting", LogLevel.Warning);
        return logging;
    }

    private static void AddStreamsTelemetry(this IHostApplicationBuilder builder, string serviceName)
    {
        // Without an exporter the SDK would only collect what nobody reads, and building its providers costs every
        // process tens of milliseconds of start-up; spans still flow to any in-process ActivityListener (tests).
        if (string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
        {
            return;
        }

        builder.Logging.AddOpenTelemetry(logging =>
        {
            logging.IncludeFormattedMessage = true;
            logging.IncludeScopes = true;
        });
        builder.Services.AddOpenTelemetry()
            // The instance id stays the one the environment gives (OTEL_RESOURCE_ATTRIBUTES): the Aspire dashboard
            // matches telemetry to the resource it started by it.
            .ConfigureResource(r => r.AddService(serviceName, autoGenerateServiceInstanceId: false))
            .WithTracing(tracing => tracing
                .AddSource(StreamsTelemetryName)
                // HttpClient's own spans (.NET 9+), so that a registry request made inside an event's processing
                // links the registry's server span to the worker's span across the two processes.
                .AddSource("System.Net.Http")
                .AddAspNetCoreInstrumentation(o => o.Filter = context => !context.Request.Path.StartsWithSegments("/health")))
            .WithMetrics(metrics => metrics
                .AddMeter(StreamsTelemetryName)
                // The broker's own instruments (bytes and records per topic, requests per API, connections, cleaner).
                .AddMeter(BrokerTelemetryName)
                .AddAspNetCoreInstrumentation()
                .AddRuntimeInstrumentation()
                // Kestrel's connection metrics cover the broker's Kafka listener too (active, queued, duration).
                .AddMeter("Microsoft.AspNetCore.Server.Kestrel"))
            .UseOtlpExporter();
    }

    /// <summary>
    /// Maps <c>/health/live</c> (the process serves requests) and <c>/health/ready</c> (every registered check passes;
    /// 503 otherwise), both answering JSON with each check's status and description.
    /// </summary>
    public static WebApplication MapDefaultEndpoints(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = check => check.Tags.Contains(LiveTag), ResponseWriter = HealthResponse.WriteAsync });
        app.MapHealthChecks("/health/ready", new HealthCheckOptions { ResponseWriter = HealthResponse.WriteAsync });
        return app;
    }
}
