using System.Text.Json.Nodes;
using Confluent.Kafka;

namespace Streams.Registry.Api;

/// <summary>Turns failures into Confluent's error bodies, so clients read a code and a message, never an HTML page.</summary>
internal static partial class ErrorHandling
{
    public static IApplicationBuilder UseRegistryErrors(this IApplicationBuilder app, ILogger logger) => app.Use(async (context, next) =>
    {
        try
        {
            await next(context).ConfigureAwait(false);
        }
        catch (RegistryException ex)
        {
            await WriteAsync(context, ex.Status, ex.ErrorCode, ex.Message).ConfigureAwait(false);
        }
        catch (BadHttpRequestException ex)
        {
            await WriteAsync(context, 400, 400, ex.Message).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is KafkaException or InvalidOperationException or TimeoutException)
        {
            LogStoreFailure(logger, ex);
            await WriteAsync(context, 500, 50001, $"Error in the backend data store: {ex.Message}").ConfigureAwait(false);
        }
    });

    public static Task WriteAsync(HttpContext context, int status, int errorCode, string message) =>
        context.Response.HasStarted
            ? Task.CompletedTask
            : RegistryJson.Ok(new JsonObject { ["error_code"] = errorCode, ["message"] = message }, status).ExecuteAsync(context);

    [LoggerMessage(Level = LogLevel.Error, Message = "Request failed in the _schemas store")]
    private static partial void LogStoreFailure(ILogger logger, Exception exception);
}
