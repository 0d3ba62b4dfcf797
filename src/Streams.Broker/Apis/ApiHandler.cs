using Streams.Broker.Protocol;

namespace Streams.Broker.Apis;

/// <summary>
/// One Kafka API: the versions it serves (the ApiVersions table is built from these, so nothing unimplemented is
/// ever advertised), where its flexible encoding starts, and how a request becomes a response. The connection sees
/// only this; handlers derive from <see cref="ApiHandler{TRequest, TResponse}"/>, which takes the versions from the
/// message definition and implements the byte-level <see cref="HandleAsync"/> with the generated codecs.
/// </summary>
internal abstract class ApiHandler
{
    public abstract ApiKey Key { get; }

    public abstract short MinVersion { get; }

    public abstract short MaxVersion { get; }

    /// <summary>First version using compact encodings and tagged fields; <see cref="short.MaxValue"/> when none served is flexible.</summary>
    public virtual short FirstFlexibleVersion => short.MaxValue;

    public bool IsFlexible(short version) => version >= FirstFlexibleVersion;

    /// <summary>
    /// Decodes the body from <paramref name="request"/> and writes the response body to <paramref name="response"/>
    /// (the header is already written). Set <see cref="RequestContext.SuppressResponse"/> for requests Kafka never answers.
    /// </summary>
    public abstract ValueTask HandleAsync(RequestContext context, KafkaReader request, KafkaWriter response);
}
