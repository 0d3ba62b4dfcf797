namespace Streams.Broker.Configs;

/// <summary>One broker setting as DescribeConfigs reports it: its value, where that comes from, and its synonyms.</summary>
internal sealed record BrokerConfigEntry(string Name, string? Value, ConfigSource Source, List<(string Name, string? Value, ConfigSource Source)> Synonyms);
