namespace Streams.Worker.Infrastructure;

/// <summary>Where Kafka and the schema registry are: configured ones, or the embedded ones this process started.</summary>
public sealed record StreamsEndpoints(string BootstrapServers, string SchemaRegistryUrl, bool Embedded);
