namespace Streams.Broker.Protocol;

/// <summary>
/// A request or response body generated from a definition in Protocol/Messages: which API it belongs to, the
/// versions served, and how to read and write it at one version. Generic handlers and tests work through this.
/// </summary>
internal interface IKafkaMessage<TSelf>
    where TSelf : IKafkaMessage<TSelf>
{
    static abstract ApiKey ApiKey { get; }

    static abstract short LowestVersion { get; }

    static abstract short HighestVersion { get; }

    /// <summary>First version with compact encodings and tagged fields; <see cref="short.MaxValue"/> when none is.</summary>
    static abstract short FirstFlexibleVersion { get; }

    /// <summary>Reads the body at <paramref name="version"/>; the reader's Flexible must match the version.</summary>
    static abstract TSelf Read(ref KafkaReader reader, short version);

    /// <summary>Writes the body at <paramref name="version"/>; the writer's Flexible must match the version.</summary>
    void Write(KafkaWriter writer, short version);
}
