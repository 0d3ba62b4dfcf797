namespace Streams.Registry.Model;

/// <summary>One version of one subject: the schema it points at (by global id) and whether it was soft-deleted.</summary>
internal sealed record SchemaVersion(string Subject, int Version, int Id, bool Deleted);

/// <summary>A schema as stored once per global id, whichever subjects use it.</summary>
internal sealed record StoredSchema(int Id, string Guid, string SchemaType, string Schema, IReadOnlyList<SchemaReference> References);
