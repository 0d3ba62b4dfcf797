using System.Text.Json;
using System.Text.Json.Nodes;
using Streams.Registry.Model;
using Streams.Registry.Schemas;

namespace Streams.Registry.Storage;

/// <summary>What one record of <c>_schemas</c> says; a null value (tombstone) removes what its key names.</summary>
internal abstract record LogRecord;

/// <summary>A subject version (key SCHEMA, subject, version). Tombstone = permanent delete of that version.</summary>
internal sealed record SchemaRecord(string Subject, int Version, StoredSchema? Schema, bool Deleted) : LogRecord;

/// <summary>A compatibility level (key CONFIG), global when Subject is null. Tombstone = back to the default/global.</summary>
internal sealed record ConfigRecord(string? Subject, CompatibilityLevel? Level) : LogRecord;

/// <summary>A mode (key MODE), global when Subject is null.</summary>
internal sealed record ModeRecord(string? Subject, RegistryMode? Mode) : LogRecord;

/// <summary>What <see cref="LogRecords.Decode"/> made of a record: a record, nothing (a keytype with no state here), or why it is malformed.</summary>
internal readonly record struct Decoded(LogRecord? Record, string? Error)
{
    public static Decoded Malformed(string reason) => new(null, reason);
}

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

    /// <summary>
    /// Reads one record. Keytypes this registry has no use for (NOOP, DELETE_SUBJECT, ...) decode to no record and no
    /// error; anything that cannot be what its keytype says is <see cref="Decoded.Malformed"/> with the reason, so the
    /// reader logs and skips it (as Confluent's registry does) instead of stopping on it at every start. Every field
    /// is checked here, so nothing later meets a missing or mistyped value.
    /// </summary>
    public static Decoded Decode(byte[]? key, byte[]? value)
    {
        if (key is null)
        {
            return Decoded.Malformed("the key is null");
        }

        if (!StrictJson.TryParse(key, out var keyNode, out var keyError))
        {
            return Decoded.Malformed($"the key is not valid JSON: {keyError}");
        }

        if (keyNode is not JsonObject k)
        {
            return Decoded.Malformed("the key is not a JSON object");
        }

        JsonObject? v = null;
        if (value is not null)
        {
            if (!StrictJson.TryParse(value, out var valueNode, out var valueError))
            {
                return Decoded.Malformed($"the value is not valid JSON: {valueError}");
            }

            // A JSON null value is a tombstone too (Confluent writes an empty value for NOOP keys only).
            if (valueNode is not null and not JsonObject)
            {
                return Decoded.Malformed("the value is not a JSON object");
            }

            v = valueNode as JsonObject;
        }

        if (!TryString(k, "keytype", out var keytype) || keytype is null)
        {
            return Decoded.Malformed("the key has no string keytype");
        }

        if (!TryString(k, "subject", out var subject))
        {
            return Decoded.Malformed("the key's subject is not a string");
        }

        return keytype switch
        {
            "SCHEMA" => DecodeSchema(k, subject, v),
            "CONFIG" => DecodeConfig(subject, v),
            "MODE" => DecodeMode(subject, v),
            // Written by Confluent's registry; this one keeps no state for them.
            "NOOP" or "DELETE_SUBJECT" or "CLEAR_SUBJECT" or "CONTEXT" => default,
            _ => Decoded.Malformed($"unknown keytype '{keytype}'"),
        };
    }

    private static Decoded DecodeSchema(JsonObject k, string? subject, JsonObject? v)
    {
        if (string.IsNullOrEmpty(subject))
        {
            return Decoded.Malformed("a SCHEMA key needs a subject");
        }

        if (!TryInt(k, "version", out var version) || version is not >= 1)
        {
            return Decoded.Malformed("a SCHEMA key needs a version between 1 and 2^31-1");
        }

        if (v is null)
        {
            return new Decoded(new SchemaRecord(subject, version.Value, null, false), null);
        }

        // The value repeats subject and version; a value that disagrees with its key says two different things.
        if (!TryString(v, "subject", out var valueSubject) || (valueSubject is not null && valueSubject != subject))
        {
            return Decoded.Malformed($"the value's subject does not match the key's '{subject}'");
        }

        if (!TryInt(v, "version", out var valueVersion) || (valueVersion is not null && valueVersion != version))
        {
            return Decoded.Malformed($"the value's version does not match the key's {version}");
        }

        if (!TryInt(v, "id", out var id) || id is not >= 1)
        {
            return Decoded.Malformed("a SCHEMA value needs an id between 1 and 2^31-1");
        }

        if (!TryString(v, "schema", out var schema) || string.IsNullOrWhiteSpace(schema))
        {
            return Decoded.Malformed("a SCHEMA value needs a non-empty schema string");
        }

        if (!TryString(v, "guid", out var guid) || !TryString(v, "schemaType", out var schemaType) || !TryBool(v, "deleted", out var deleted))
        {
            return Decoded.Malformed("a SCHEMA value's guid, schemaType or deleted has the wrong JSON type");
        }

        List<SchemaReference> references = [];
        if (v.TryGetPropertyValue("references", out var referencesNode) && referencesNode is not null)
        {
            if (referencesNode is not JsonArray array)
            {
                return Decoded.Malformed("a SCHEMA value's references is not an array");
            }

            foreach (var item in array)
            {
                if (item is not JsonObject r || !TryString(r, "name", out var name) || name is null
                    || !TryString(r, "subject", out var refSubject) || refSubject is null
                    || !TryInt(r, "version", out var refVersion) || refVersion is null)
                {
                    return Decoded.Malformed("a SCHEMA value's reference needs a string name and subject and an integer version");
                }

                references.Add(new SchemaReference(name, refSubject, refVersion.Value));
            }
        }

        var stored = new StoredSchema(id.Value, guid ?? GuidFor(id.Value), schemaType ?? "AVRO", schema, references);
        return new Decoded(new SchemaRecord(subject, version.Value, stored, deleted ?? false), null);
    }

    private static Decoded DecodeConfig(string? subject, JsonObject? v)
    {
        // Newer Confluent versions may write a config without a level (only other settings): that is "no level".
        if (v is null || !v.ContainsKey("compatibilityLevel"))
        {
            return new Decoded(new ConfigRecord(subject, null), null);
        }

        return TryString(v, "compatibilityLevel", out var name) && CompatibilityLevels.TryParse(name, out var level)
            ? new Decoded(new ConfigRecord(subject, level), null)
            : Decoded.Malformed("the CONFIG value's compatibilityLevel is not a known level");
    }

    private static Decoded DecodeMode(string? subject, JsonObject? v)
    {
        if (v is null)
        {
            return new Decoded(new ModeRecord(subject, null), null);
        }

        return TryString(v, "mode", out var name) && RegistryModes.TryParse(name, out var mode)
            ? new Decoded(new ModeRecord(subject, mode), null)
            : Decoded.Malformed("the MODE value's mode is not a known mode");
    }

    // Each TryX is false when the property exists with another JSON type; an absent property or JSON null is a
    // success with a null value, so callers decide what is required.
    private static bool TryString(JsonObject o, string name, out string? value)
    {
        value = null;
        if (!o.TryGetPropertyValue(name, out var node) || node is null)
        {
            return true;
        }

        return node.GetValueKind() == JsonValueKind.String && node.AsValue().TryGetValue(out value);
    }

    private static bool TryInt(JsonObject o, string name, out int? value)
    {
        value = null;
        if (!o.TryGetPropertyValue(name, out var node) || node is null)
        {
            return true;
        }

        if (node.GetValueKind() == JsonValueKind.Number && node.AsValue().TryGetValue(out int n))
        {
            value = n;
            return true;
        }

        return false;
    }

    private static bool TryBool(JsonObject o, string name, out bool? value)
    {
        value = null;
        if (!o.TryGetPropertyValue(name, out var node) || node is null)
        {
            return true;
        }

        if (node.GetValueKind() is JsonValueKind.True or JsonValueKind.False)
        {
            value = node.GetValue<bool>();
            return true;
        }

        return false;
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
