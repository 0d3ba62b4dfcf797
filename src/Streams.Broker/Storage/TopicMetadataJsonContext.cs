using System.Text.Json.Serialization;

namespace Streams.Broker.Storage;

/// <summary>
/// Compile-time JSON metadata for <c>meta/topics/&lt;topic&gt;.json</c>, so reading and writing it needs no runtime
/// reflection (Native AOT, trimming). The shape is the one the reflection serializer wrote before: property names as
/// declared (<c>Name</c>, <c>Id</c>, <c>Partitions</c>, <c>Configs</c>), indented.
/// </summary>
[JsonSourceGenerationOptions(WriteIndented = true)]
[JsonSerializable(typeof(TopicMetadata))]
internal sealed partial class TopicMetadataJsonContext : JsonSerializerContext;
