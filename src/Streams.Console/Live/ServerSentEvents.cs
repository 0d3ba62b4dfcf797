using System.Text;
using Microsoft.AspNetCore.Http;

namespace Streams.KafkaConsole.Live;

/// <summary>Writes a <c>text/event-stream</c> response: one <c>data:</c> line per event (the payloads are single-line JSON).</summary>
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

    public static async Task SendAsync(HttpResponse response, string json)
    {
        await response.WriteAsync(new StringBuilder("data: ").Append(json).Append("\n\n").ToString(), response.HttpContext.RequestAborted).ConfigureAwait(false);
        await response.Body.FlushAsync(response.HttpContext.RequestAborted).ConfigureAwait(false);
    }
}
