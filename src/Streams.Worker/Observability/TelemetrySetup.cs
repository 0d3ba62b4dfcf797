using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Streams.Messaging.Diagnostics;

namespace Streams.Worker.Observability;

/// <summary>
/// OpenTelemetry for the worker: the messaging spans and metrics of every producer and consumer, exported over
/// OTLP when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set (Jaeger or any collector), silent otherwise.
/// </summary>
public static class TelemetrySetup
{
    public static IServiceCollection AddStreamsTelemetry(this IServiceCollection services, string serviceName)
    {
        var otlp = !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("OTEL_EXPORTER_OTLP_ENDPOINT"));
        services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService(serviceName))
            .WithTracing(tracing =>
            {
                tracing.AddSource(MessagingTelemetry.SourceName);
                if (otlp)
                {
                    tracing.AddOtlpExporter();
                }
            })
            .WithMetrics(metrics =>
            {
                metrics.AddMeter(MessagingTelemetry.SourceName);
                if (otlp)
                {
                    metrics.AddOtlpExporter();
                }
            });
        return services;
    }
}
