using System.Globalization;
using Microsoft.Data.Sqlite;
using Streams.Messaging.Consuming;
using Streams.Messaging.Serialization;

namespace Streams.Consumers;

/// <summary>
/// The audit trail as a queryable table: every event of every topic, one row per event id, so re-reading the log (a
/// replay, or a crash before the commit) rewrites the same rows and never duplicates them. Delete the database and
/// reset the group's offsets to earliest, and it is rebuilt from the log, identically.
/// </summary>
public sealed class AuditProjection : IDisposable
{
    /// <summary>The consumer group the worker runs the projection in.</summary>
    public const string GroupId = "audit-projection";

    private readonly SqliteConnection _connection;

    // One connection, used one call at a time: partitions are handled in parallel, and SQLite serializes writes anyway.
    // Partitions wait for it asynchronously: a blocking lock held one pool thread per waiting partition (15 of the
    // pool's threads at 4,000 events/s), which made the pool grow to ~50 threads that crowded out the stream thread.
    private readonly SemaphoreSlim _gate = new(1, 1);

    // Prepared once: compiling the statement again for every event cost more than running it.
    private readonly SqliteCommand _insert;

    /// <summary>Opens (or creates) the projection's SQLite database.</summary>
    /// <param name="databasePath">The database file; its directory is created when missing.</param>
    public AuditProjection(string databasePath)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(databasePath))!);
        _connection = new SqliteConnection($"Data Source={databasePath}");
        _connection.Open();
        using var create = _connection.CreateCommand();
        // synchronous=NORMAL with WAL: no fsync per event (it was one per row); a process crash loses nothing, an OS
        // crash or power loss at most the last rows, which a replay of the log rewrites.
        create.CommandText = """
            PRAGMA journal_mode = WAL;
            PRAGMA synchronous = NORMAL;
            CREATE TABLE IF NOT EXISTS audit_events (
                event_id TEXT NOT NULL PRIMARY KEY, event_type TEXT NOT NULL, event_key TEXT,
                topic TEXT NOT NULL, partition INTEGER NOT NULL, "offset" INTEGER NOT NULL,
                record_time TEXT NOT NULL, payload TEXT NOT NULL);
            """;
        create.ExecuteNonQuery();
        _insert = _connection.CreateCommand();
        _insert.CommandText = """
            INSERT OR REPLACE INTO audit_events (event_id, event_type, event_key, topic, partition, "offset", record_time, payload)
            VALUES ($id, $type, $key, $topic, $partition, $offset, $at, $payload)
            """;
        foreach (var name in (string[])["$id", "$type", "$key", "$topic", "$partition", "$offset", "$at", "$payload"])
        {
            _insert.Parameters.Add(new SqliteParameter { ParameterName = name });
        }

        _insert.Prepare();
    }

    /// <summary>Writes one event's row, replacing the row of the same event id.</summary>
    public async Task HandleAsync(ConsumedEvent consumed, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(consumed);
        // Rendered before the wait: partitions build their JSON in parallel and hold the connection only to write.
        var payload = AvroJsonWriter.ToJsonString(consumed.Event);
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            Insert(consumed, payload);
        }
        finally
        {
            _gate.Release();
        }
    }

    private void Insert(ConsumedEvent consumed, string payload)
    {
        var insert = _insert.Parameters;
        insert["$topic"].Value = consumed.Topic;
        insert["$partition"].Value = consumed.Partition;
        insert["$offset"].Value = consumed.Offset;
        insert["$key"].Value = (object?)consumed.Key ?? DBNull.Value;
        insert["$type"].Value = consumed.Event.Schema.Fullname;
        var schema = (Avro.RecordSchema)consumed.Event.Schema;
        // Every contract carries an event id; a record without one is keyed by where it sits in the log.
        var eventId = schema.TryGetField("eventId", out var idField) ? consumed.Event.Get(idField.Pos) as string : null;
        insert["$id"].Value = eventId ?? $"{consumed.Topic}/{consumed.Partition}/{consumed.Offset}";
        insert["$at"].Value = consumed.Timestamp.ToString("O", CultureInfo.InvariantCulture);
        insert["$payload"].Value = payload;
        _insert.ExecuteNonQuery();
    }

    /// <summary>The number of rows.</summary>
    public long Count()
    {
        using var scope = Exclusive();
        using var count = _connection.CreateCommand();
        count.CommandText = "SELECT COUNT(*) FROM audit_events";
        return (long)count.ExecuteScalar()!;
    }

    /// <summary>Every row in a stable order, for comparing two builds of the projection.</summary>
    public IReadOnlyList<string> Snapshot()
    {
        using var scope = Exclusive();
        using var query = _connection.CreateCommand();
        query.CommandText = "SELECT event_id, event_type, event_key, topic, partition, \"offset\", payload FROM audit_events ORDER BY event_id";
        using var reader = query.ExecuteReader();
        var rows = new List<string>();
        while (reader.Read())
        {
            rows.Add(string.Join('|', Enumerable.Range(0, reader.FieldCount).Select(i => reader.IsDBNull(i) ? "" : Convert.ToString(reader.GetValue(i), CultureInfo.InvariantCulture))));
        }

        return rows;
    }

    /// <summary>Removes every row (the first step of a rebuild by replay).</summary>
    public void Clear()
    {
        using var scope = Exclusive();
        using var delete = _connection.CreateCommand();
        delete.CommandText = "DELETE FROM audit_events";
        delete.ExecuteNonQuery();
    }

    /// <summary>Closes the database.</summary>
    public void Dispose()
    {
        _insert.Dispose();
        _connection.Dispose();
        _gate.Dispose();
    }

    // For the occasional synchronous reader (status, tests, the CLI's rebuild): waits for the connection.
    private Releaser Exclusive()
    {
        _gate.Wait();
        return new Releaser(_gate);
    }

    private readonly struct Releaser(SemaphoreSlim gate) : IDisposable
    {
        public void Dispose() => gate.Release();
    }
}
