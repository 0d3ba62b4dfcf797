using System.Text.Json;
using System.Text.Json.Nodes;
using Streams.Registry.Model;

namespace Streams.Registry.Storage;

/// <summary>What one record of <c>_schemas</c> says; a null value (tombstone) removes what its key names.</summary>
internal abstract record LogRecord;

/// <summary>A subject version (key SCHEMA, subject, version). Tombstone = permanent delete of that version.</summary>
internal sealed record SchemaRecord(string Subject, int Version, StoredSchema? Schema, bool Deleted) : LogRecord;

/// <summary>A compatibility level (key CONFIG), global when Subject is null. Tombstone = back to the default/global.</summary>
internal sealed record ConfigRecord(string? Subject, CompatibilityLevel? Level) : LogRecord;

/// <summary>A mode (key MODE), global when Subject is null.</summary>
internal sealed record ModeRecord(string? Subject, RegistryMode? Mode) : LogRecord;

/// <summary>
/// The JSON key/value layout of <c>_schemas</c>. It follows the layout Confluent Schema Registry writes (keytype
/// SCHEMA/CONFIG/MODE, magic, the same value fields), so a topic is readable by either registry and tools that
/// inspect <c>_schemas</c> keep working. Keys are compaction keys: one per subject version, config and mode.
/// </summary>
internal static class LogRecords
{
    public static (byte[] Key, byte[]? Value) Encode(LogRecord record) => record switch
    {
        SchemaRecord s => (Json(new JsonObject { ["keytype"] = "SCHEMA", ["subject"] = s.Subject, ["version"] = s.Version, ["magic"] = 1 }),
            s.Schema is null ? null : Json(SchemaValue(s))),
        ConfigRecord c => (Json(new JsonObject { ["keytype"] = "CONFIG", ["subject"] = c.Subject, ["magic"] = 0 }),
            c.Level is { } level ? Json(new JsonObject { ["compatibilityLevel"] = level.ToWireName() }) : null),
        ModeRecord m => (Json(new JsonObject { ["keytype"] = "MODE", ["subject"] = m.Subject, ["magic"] = 0 }),
            m.Mode is { } mode ? Json(new JsonObject { ["mode"] = mode.ToWireName() }) : null),
        _ => throw new ArgumentOutOfRangeException(nameof(record)),
    };

    /// <summary>Null for keys this registry does not use (NOOP, DELETE_SUBJECT, ...) or that it cannot read.</summary>
    public static LogRecord? Decode(byte[]? key, byte[]? value)
    {
        if (key is null || JsonNode.Parse(key) is not JsonObject k)
        {
            return null;
        }

        var subject = (string?)k["subject"];
        var v = value is null ? null : JsonNode.Parse(value) as JsonObject;
        switch ((string?)k["keytype"])
        {
            case "SCHEMA" when subject is not null:
                var version = (int)k["version"]!;
                if (v is null)
                {
                    return new SchemaRecord(subject, version, null, false);
                }

                var references = (v["references"] as JsonArray)?
                    .Select(r => new SchemaReference((string)r!["name"]!, (string)r["subject"]!, (int)r["version"]!))
                    .ToList() ?? [];
                var id = (int)v["id"]!;
                var stored = new StoredSchema(id, (string?)v["guid"] ?? GuidFor(id), (string?)v["schemaType"] ?? "AVRO", (string)v["schema"]!, references);
                return new SchemaRecord(subject, version, stored, (bool?)v["deleted"] ?? false);
            case "CONFIG":
                CompatibilityLevel? level = CompatibilityLevels.TryParse((string?)v?["compatibilityLevel"], out var l) ? l : null;
                return new ConfigRecord(subject, level);
            case "MODE":
                RegistryMode? mode = RegistryModes.TryParse((string?)v?["mode"], out var m) ? m : null;
                return new ModeRecord(subject, mode);
            default:
                return null;
        }
    }

    /// <summary>Records written by a registry that had no guids get a stable one derived from the id.</summary>
    public static string GuidFor(int id) => new Guid(id, 0, 0, new byte[8]).ToString();

    private static JsonObject SchemaValue(SchemaRecord s)
    {
        var value = new JsonObject
        {
            ["subject"] = s.Subject,
            ["version"] = s.Version,
            ["id"] = s.Schema!.Id,
            ["guid"] = s.Schema.Guid,
            ["schema"] = s.Schema.Schema,
            ["deleted"] = s.Deleted,
        };
        if (s.Schema.SchemaType != "AVRO")
        {
            value["schemaType"] = s.Schema.SchemaType;
        }

        if (s.Schema.References.Count > 0)
        {
            value["references"] = new JsonArray([.. s.Schema.References.Select(r => new JsonObject { ["name"] = r.Name, ["subject"] = r.Subject, ["version"] = r.Version })]);
        }

        return value;
    }

    private static byte[] Json(JsonNode node) => JsonSerializer.SerializeToUtf8Bytes(node);
}
