using System.Diagnostics;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Streams.KafkaConsole.Sessions;

/// <summary>Marks the console's endpoints (the host's own, such as health checks, pass the gate untouched).</summary>
internal sealed class ConsoleEndpointMarker
{
    public static readonly ConsoleEndpointMarker Instance = new();
}

/// <summary>On a console page or endpoint that anyone may reach without a session (the sign-in page and form).</summary>
[AttributeUsage(AttributeTargets.Class)]
internal sealed class OpenToAllAttribute : Attribute
{
}

/// <summary>The request's console session, for the scoped services pages and endpoints inject.</summary>
internal sealed class CurrentSession
{
    public ConsoleSession? Value { get; set; }

    public static ConsoleSession Of(IServiceProvider services) =>
        services.GetRequiredService<CurrentSession>().Value
        ?? throw new InvalidOperationException("No console session: the request did not pass the console's session gate.");
}

/// <summary>
/// Middleware in front of the console's endpoints: finds the request's session (sends a browser without one to the
/// sign-in page, a live stream without one gets 401), and turns an ACL refusal while rendering into a page saying so
/// (403) rather than an error.
/// </summary>
internal static partial class SessionGate
{
    // A page slower than this is logged: the Kafka look-ups behind it waited (an unreachable broker, a starved host).
    private static readonly TimeSpan SlowPage = TimeSpan.FromSeconds(3);

    public static async Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        var metadata = context.GetEndpoint()?.Metadata;
        if (metadata?.GetMetadata<ConsoleEndpointMarker>() is null || metadata.GetMetadata<OpenToAllAttribute>() is not null)
        {
            await next(context).ConfigureAwait(false);
            return;
        }

        var session = context.RequestServices.GetRequiredService<ConsoleSessions>().Find(context);
        if (session is null)
        {
            if (context.Request.Path.StartsWithSegments("/console", StringComparison.Ordinal))
            {
                context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            }
            else
            {
                var back = context.Request.PathBase + context.Request.Path + context.Request.QueryString;
                context.Response.Redirect($"{context.Request.PathBase}/sign-in?return={Uri.EscapeDataString(back)}");
            }

            return;
        }

        context.RequestServices.GetRequiredService<CurrentSession>().Value = session;
        var started = Stopwatch.GetTimestamp();
        try
        {
            await next(context).ConfigureAwait(false);
        }
        catch (Exception e) when (AccessDenied.Is(e) && !context.Response.HasStarted)
        {
            context.Response.Clear();
            context.Response.StatusCode = StatusCodes.Status403Forbidden;
            context.Response.ContentType = "text/html; charset=utf-8";
            await context.Response.WriteAsync(DeniedPage(session.User, e.Message), context.RequestAborted).ConfigureAwait(false);
        }
        finally
        {
            // Live streams last as long as the page: only a page or form answer is slow.
            if (Stopwatch.GetElapsedTime(started) is var elapsed && elapsed > SlowPage && !context.Request.Path.StartsWithSegments("/console/live", StringComparison.Ordinal))
            {
                LogSlowPage(context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(SessionGate)), context.Request.Method,
                    context.Request.Path, (long)elapsed.TotalMilliseconds, context.Response.StatusCode);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Console: {Method} {Path} took {ElapsedMs} ms (status {Status})")]
    private static partial void LogSlowPage(ILogger logger, string method, string path, long elapsedMs, int status);

    private static string DeniedPage(string? user, string reason)
    {
        var who = user is null ? "The console's Kafka user" : $"Your user {HtmlEncoder.Default.Encode(user)}";
        return $"""
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8" /><base href="/" /><title>Not allowed · Streams console</title>
            <link rel="stylesheet" href="console/assets/console.css" /></head>
            <body><header><strong>Streams console</strong><nav><a href="">Overview</a> <a href="groups">Consumer groups</a> <a href="schemas">Schemas</a></nav></header>
            <main><section id="denied" class="not-found"><h2>Not allowed</h2>
            <p>{who} may not do this: the cluster's ACLs refused it.</p>
            <p class="note">{HtmlEncoder.Default.Encode(reason)}</p>
            <p><a href="">Back to the overview</a></p></section></main></body></html>
            """;
    }
}
