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
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            // Kestrel's limit (SchemaRegistryOptions.MaxRequestBodyBytes), hit while the body was being read.
            await WriteAsync(context, 413, 413, ex.Message).ConfigureAwait(false);
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
        catch (Exception ex) when (!context.RequestAborted.IsCancellationRequested)
        {
            // A bug, not an input problem (inputs have their own codes above): still answer Confluent's error body, so
            // a client reports a message instead of failing to parse an empty 500.
            LogUnexpected(logger, context.Request.Method, context.Request.Path, ex);
            await WriteAsync(context, 500, 50000, $"Internal server error: {ex.GetType().Name}").ConfigureAwait(false);
        }
    });

    public static Task WriteAsync(HttpContext context, int status, int errorCode, string message) =>
        context.Response.HasStarted
            ? Task.CompletedTask
            : RegistryJson.Ok(new JsonObject { ["error_code"] = errorCode, ["message"] = message }, status).ExecuteAsync(context);

    [LoggerMessage(Level = LogLevel.Error, Message = "Unexpected failure answering {Method} {Path}")]
    private static partial void LogUnexpected(ILogger logger, string method, string path, Exception exception);

    [LoggerMessage(Level = LogLevel.Error, Message = "Request failed in the _schemas store")]
    private static partial void LogStoreFailure(ILogger logger, Exception exception);
}
