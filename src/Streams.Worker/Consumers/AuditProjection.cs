using System.Globalization;
using Microsoft.Data.Sqlite;
using Streams.Messaging.Consuming;

namespace Streams.Worker.Consumers;

/// <summary>
/// The audit trail as a queryable table: every event of every topic, one row per (topic, partition, offset), so
/// re-reading the log (a replay, or a crash before the commit) rewrites the same rows and never duplicates them.
/// Delete the database and reset the group's offsets to earliest, and it is rebuilt from the log.
/// </summary>
public sealed class AuditProjection : IDisposable
{
    public const string GroupId = "audit-projection";

    private readonly SqliteConnection _connection;

    public AuditProjection(string databasePath)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(databasePath))!);
        _connection = new SqliteConnection($"Data Source={databasePath}");
        _connection.Open();
        using var create = _connection.CreateCommand();
        create.CommandText = """
            PRAGMA journal_mode = WAL;
            CREATE TABLE IF NOT EXISTS audit_events (
                topic TEXT NOT NULL, partition INTEGER NOT NULL, "offset" INTEGER NOT NULL,
                event_key TEXT, event_type TEXT NOT NULL, event_id TEXT, occurred_at TEXT NOT NULL, payload TEXT NOT NULL,
                PRIMARY KEY (topic, partition, "offset"));
            """;
        create.ExecuteNonQuery();
    }

    public Task HandleAsync(ConsumedEvent consumed, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(consumed);
        using var insert = _connection.CreateCommand();
        insert.CommandText = """
            INSERT OR REPLACE INTO audit_events (topic, partition, "offset", event_key, event_type, event_id, occurred_at, payload)
            VALUES ($topic, $partition, $offset, $key, $type, $id, $at, $payload)
            """;
        insert.Parameters.AddWithValue("$topic", consumed.Topic);
        insert.Parameters.AddWithValue("$partition", consumed.Partition);
        insert.Parameters.AddWithValue("$offset", consumed.Offset);
        insert.Parameters.AddWithValue("$key", (object?)consumed.Key ?? DBNull.Value);
        insert.Parameters.AddWithValue("$type", consumed.Event.Schema.Fullname);
        var schema = (Avro.RecordSchema)consumed.Event.Schema;
        insert.Parameters.AddWithValue("$id", schema.TryGetField("eventId", out var idField) ? consumed.Event.Get(idField.Pos) ?? DBNull.Value : DBNull.Value);
        insert.Parameters.AddWithValue("$at", consumed.Timestamp.ToString("O", CultureInfo.InvariantCulture));
        insert.Parameters.AddWithValue("$payload", consumed.Event.ToString() ?? string.Empty);
        insert.ExecuteNonQuery();
        return Task.CompletedTask;
    }

    public long Count()
    {
        using var count = _connection.CreateCommand();
        count.CommandText = "SELECT COUNT(*) FROM audit_events";
        return (long)count.ExecuteScalar()!;
    }

    public void Dispose() => _connection.Dispose();
}
