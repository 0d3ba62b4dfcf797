using System.Text;
using Microsoft.AspNetCore.Http;

namespace Streams.KafkaConsole.Live;

/// <summary>
/// Writes a <c>text/event-stream</c> response: one <c>data:</c> line per event (the payloads are single-line JSON).
/// A <c>denied</c> event (the cluster's ACLs refused what the stream reads) tells the page to stop listening and say so:
/// a stream that just ended would make the browser reconnect, and be refused, again and again.
/// </summary>
internal static class ServerSentEvents
{
    public static async Task BeginAsync(HttpResponse response)
    {
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        // Tell proxies not to buffer: an event must reach the browser when it is written.
        response.Headers["X-Accel-Buffering"] = "no";
        await response.Body.FlushAsync(response.HttpContext.RequestAborted).ConfigureAwait(false);
    }

    public static async Task SendAsync(HttpResponse response, string json, string? name = null)
    {
        var frame = new StringBuilder();
        if (name is not null)
        {
            frame.Append("event: ").Append(name).Append('\n');
        }

        await response.WriteAsync(frame.Append("data: ").Append(json).Append("\n\n").ToString(), response.HttpContext.RequestAborted).ConfigureAwait(false);
        await response.Body.FlushAsync(response.HttpContext.RequestAborted).ConfigureAwait(false);
    }
}

