using Streams.Registry.Model;

namespace Streams.Registry;

/// <summary>The body of register, lookup and compatibility requests (Confluent's schema object).</summary>
internal sealed record SchemaRequest(string? Schema, string? SchemaType, IReadOnlyList<SchemaReference> References, int? Id, int? Version);

/// <summary>A subject version together with its schema, as the API answers it.</summary>
internal sealed record VersionView(SchemaVersion Version, StoredSchema Schema);
