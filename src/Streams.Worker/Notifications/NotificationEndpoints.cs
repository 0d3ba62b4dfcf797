using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Streams.Consumers.Notifications;

namespace Streams.Worker.Notifications;

/// <summary>
/// <c>GET /notifications</c>: Server-Sent Events, one event per alert or order, pushed as they happen and resumable
/// (<see cref="NotificationStream"/>): every event's <c>id</c> is a position in the log, <c>Last-Event-ID</c> (the
/// header EventSource sends on reconnect, or <c>?lastEventId=</c>) replays what was missed, <c>?type=order</c> and
/// <c>?key=cart-42</c> (or <c>?key=cart-*</c>) filter.
/// </summary>
public static class NotificationEndpoints
{
    public static IEndpointRouteBuilder MapNotifications(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/notifications", async (HttpContext context, NotificationStream stream, StreamsOptions options) =>
        {
            var origin = context.Request.Headers.Origin.FirstOrDefault();
            var allowed = options.Notifications.AllowedOrigins;
            if (origin is not null && (allowed.Contains("*") || allowed.Contains(origin)))
            {
                context.Response.Headers.AccessControlAllowOrigin = allowed.Contains("*") ? "*" : origin;
            }

            context.Response.Headers.ContentType = "text/event-stream";
            context.Response.Headers.CacheControl = "no-cache";
            // Proxies such as nginx would otherwise hold events back until their buffer fills.
            context.Response.Headers["X-Accel-Buffering"] = "no";
            var query = context.Request.Query;
            var lastEventId = context.Request.Headers["Last-Event-ID"].FirstOrDefault() ?? query["lastEventId"].FirstOrDefault();
            var filter = NotificationFilter.From(query["type"], query["key"].FirstOrDefault());
            try
            {
                // The pipe copies the batch and flushes it: one send per batch, however many events it holds.
                await stream.RunAsync(lastEventId, filter, async (utf8, cancellationToken) =>
                    await context.Response.BodyWriter.WriteAsync(utf8, cancellationToken).ConfigureAwait(false), context.RequestAborted).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
            {
                // The client went away.
            }
        });
        return endpoints;
    }
}
