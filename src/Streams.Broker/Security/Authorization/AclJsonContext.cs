using System.Text.Json.Serialization;

namespace Streams.Broker.Security.Authorization;

/// <summary>
/// Compile-time JSON metadata for <c>meta/acls.json</c> (no runtime reflection: Native AOT, trimming). Same shape as
/// before: camelCase property names, enums by name (<c>"Topic"</c>, <c>"Literal"</c>, <c>"Read"</c>, <c>"Allow"</c>;
/// read case-insensitively, numbers accepted too), indented.
/// </summary>
[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, UseStringEnumConverter = true)]
[JsonSerializable(typeof(List<AclBinding>))]
internal sealed partial class AclJsonContext : JsonSerializerContext;
