using System.Text.Json.Serialization;

namespace Streams.Registry.Model;

/// <summary>A named type this schema uses that is defined by another subject's version (Confluent schema references).</summary>
internal sealed record SchemaReference(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("subject")] string Subject,
    [property: JsonPropertyName("version")] int Version);
