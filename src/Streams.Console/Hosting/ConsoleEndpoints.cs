using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Streams.KafkaConsole.Components;
using Streams.KafkaConsole.Live;
using Streams.KafkaConsole.Rendering;
using Streams.KafkaConsole.Sampling;

namespace Streams.KafkaConsole.Hosting;

/// <summary>Adds the console to a web application: its services, then its pages, live streams and assets at the root.</summary>
public static class ConsoleEndpoints
{
    /// <summary>The console's services; <paramref name="configure"/> sets the connection once the container is built (the worker's embedded broker is known only then).</summary>
    public static IServiceCollection AddStreamsConsole(this IServiceCollection services, Action<IServiceProvider, ConsoleOptions> configure)
    {
        services.AddRazorComponents();
        services.AddOptions<ConsoleOptions>().Configure<IServiceProvider>((options, sp) => configure(sp, options));
        services.AddSingleton<ConsoleClients>();
        services.AddSingleton<ClusterSampler>();
        services.AddSingleton<FragmentRenderer>();
        return services;
    }

    /// <summary>
    /// Maps the pages (<c>/</c>, <c>/topics/…</c>, <c>/groups/…</c>, <c>/schemas/…</c>), the live streams
    /// (<c>/console/live/…</c>) and the stylesheet and script (<c>/console/assets/…</c>). Forms carry antiforgery
    /// tokens, so the antiforgery middleware is added here too.
    /// </summary>
    public static WebApplication MapStreamsConsole(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.UseAntiforgery();
        app.MapGet("/console/assets/{name}", (string name) =>
            typeof(ConsoleEndpoints).Assembly.GetManifestResourceStream("console/" + name) is { } stream
                ? Results.Stream(stream, name.EndsWith(".css", StringComparison.Ordinal) ? "text/css" : "text/javascript")
                : Results.NotFound());
        LiveEndpoints.Map(app);
        app.MapRazorComponents<ConsoleApp>();
        return app;
    }
}
