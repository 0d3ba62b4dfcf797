using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Streams.KafkaConsole.Components;
using Streams.KafkaConsole.Live;
using Streams.KafkaConsole.Rendering;
using Streams.KafkaConsole.Sampling;
using Streams.KafkaConsole.Sessions;

namespace Streams.KafkaConsole.Hosting;

/// <summary>Adds the console to a web application: its services, then its pages, live streams and assets at the root.</summary>
public static class ConsoleEndpoints
{
    /// <summary>
    /// The console's services; <paramref name="configure"/> sets the connection once the container is built (the
    /// worker's embedded broker is known only then). Also a hosted service that closes the console's Kafka clients
    /// when the host stops: add the console after an embedded broker so it stops first.
    /// </summary>
    public static IServiceCollection AddStreamsConsole(this IServiceCollection services, Action<IServiceProvider, ConsoleOptions> configure)
    {
        services.AddRazorComponents();
        services.AddOptions<ConsoleOptions>().Configure<IServiceProvider>((options, sp) => configure(sp, options));
        services.AddSingleton<ConsoleSessions>();
        services.AddHostedService<ConsoleShutdown>();
        // Pages and live endpoints inject the request's session and its clients and sampler (owned by the session, not the request).
        services.AddScoped<CurrentSession>();
        services.AddScoped<ConsoleSession>(CurrentSession.Of);
        services.AddScoped(sp => CurrentSession.Of(sp).Clients);
        services.AddScoped(sp => CurrentSession.Of(sp).Sampler);
        services.AddSingleton<FragmentRenderer>();
        return services;
    }

    /// <summary>
    /// Maps the pages (<c>/</c>, <c>/topics/…</c>, <c>/groups/…</c>, <c>/schemas/…</c>, <c>/sign-in</c>), the live
    /// streams (<c>/console/live/…</c>), sign-in and sign-out (<c>/console/sign-in</c>, <c>/console/sign-out</c>) and
    /// the stylesheet and script (<c>/console/assets/…</c>). Forms carry antiforgery tokens, so the antiforgery
    /// middleware is added here too, and the session gate in front of the console's endpoints (only theirs).
    /// </summary>
    public static WebApplication MapStreamsConsole(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.UseAntiforgery();
        app.Use((HttpContext context, RequestDelegate next) => SessionGate.InvokeAsync(context, next));
        app.MapGet("/console/assets/{name}", (string name) =>
            typeof(ConsoleEndpoints).Assembly.GetManifestResourceStream("console/" + name) is { } stream
                ? Results.Stream(stream, name.EndsWith(".css", StringComparison.Ordinal) ? "text/css" : "text/javascript")
                : Results.NotFound());
        var console = app.MapGroup("").WithMetadata(ConsoleEndpointMarker.Instance);
        LiveEndpoints.Map(console);
        SignInEndpoints.Map(console);
        app.MapRazorComponents<ConsoleApp>().WithMetadata(ConsoleEndpointMarker.Instance);
        return app;
    }
}
