using Streams.Broker.Protocol;

namespace Streams.Broker.Apis;

/// <summary>
/// A handler for one API with generated messages: the versions come from the message definition (so ApiVersions
/// advertises exactly what the definition and handler serve), and the handler sees only typed request and response.
/// The bridge from the connection's reader/writer to the typed messages lives here, once.
/// </summary>
internal abstract class ApiHandler<TRequest, TResponse> : ApiHandler
    where TRequest : IKafkaMessage<TRequest>
    where TResponse : IKafkaMessage<TResponse>
{
    public sealed override ApiKey Key => TRequest.ApiKey;

    public sealed override short MinVersion => TRequest.LowestVersion;

    public sealed override short MaxVersion => TRequest.HighestVersion;

    public sealed override short FirstFlexibleVersion => TRequest.FirstFlexibleVersion;

    /// <summary>Serves one request. Set <see cref="RequestContext.SuppressResponse"/> for requests Kafka never answers.</summary>
    public abstract ValueTask<TResponse> HandleAsync(RequestContext context, TRequest request);

    public sealed override ValueTask HandleAsync(RequestContext context, KafkaReader request, KafkaWriter response)
    {
        var version = context.ApiVersion;
        var message = TRequest.Read(ref request, version);
        var pending = HandleAsync(context, message);
        if (!pending.IsCompletedSuccessfully)
        {
            return WriteWhenDoneAsync(pending, context, response);
        }

        Write(context, pending.Result, response);
        return ValueTask.CompletedTask;
    }

    private static async ValueTask WriteWhenDoneAsync(ValueTask<TResponse> pending, RequestContext context, KafkaWriter response) =>
        Write(context, await pending.ConfigureAwait(false), response);

    private static void Write(RequestContext context, TResponse message, KafkaWriter response)
    {
        if (!context.SuppressResponse)
        {
            message.Write(response, context.ApiVersion);
        }
    }
}
