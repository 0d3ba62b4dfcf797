namespace Streams.Broker.Storage;

/// <summary>What is persisted per topic (<c>meta/topics/&lt;name&gt;.json</c>) and restored on start.</summary>
internal sealed record TopicMetadata(string Name, Guid Id, int Partitions, Dictionary<string, string> Configs);
