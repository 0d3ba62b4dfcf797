using Streams.Consumers;
using Streams.Messaging.Consuming;

namespace Streams.IntegrationTests;

/// <summary>The audit projection: what a handler's completed task promises, and what re-reading the log does.</summary>
public sealed class AuditProjectionTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("audit-projection-").FullName;

    private string DatabasePath => Path.Combine(_directory, "audit.db");

    [Fact]
    public async Task Events_handled_by_many_partitions_at_once_are_committed_when_their_task_completes_and_a_replay_adds_no_rows()
    {
        // 30 partitions handled at once, each handing over its next event only after the previous one's task
        // completed, as the consumer's partition workers do.
        var events = Enumerable.Range(0, 30).Select(p => Enumerable.Range(0, 100).Select(o => Consumed(p, o)).ToList()).ToList();
        using (var audit = new AuditProjection(DatabasePath))
        {
            await Task.WhenAll(events.Select(partition => Task.Run(async () =>
            {
                foreach (var consumed in partition)
                {
                    await audit.HandleAsync(consumed, CancellationToken.None);
                }
            })));

            // Every completed task's row is readable by another connection: it was committed, not only handed over.
            Assert.Equal(3000, CountFromAnotherConnection());

            // Reading the same log again (a replay, or a crash before the offsets were committed) rewrites the rows.
            await Task.WhenAll(events.SelectMany(p => p).Select(consumed => audit.HandleAsync(consumed, CancellationToken.None)));
            Assert.Equal(3000, audit.Count());
        }

        using var reopened = new AuditProjection(DatabasePath);
        Assert.Equal(3000, reopened.Count());
        // The payload is the event itself, as JSON, not only its type.
        Assert.Contains(reopened.Snapshot(), row => row.StartsWith("event-7-42|", StringComparison.Ordinal)
            && row.Contains("\"productId\":\"product-42\",\"quantity\":1,\"unitPrice\":9.99", StringComparison.Ordinal));
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }

    private int CountFromAnotherConnection()
    {
        using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={DatabasePath};Pooling=False");
        connection.Open();
        using var count = connection.CreateCommand();
        count.CommandText = "SELECT COUNT(*) FROM audit_events";
        return Convert.ToInt32(count.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }

    private static ConsumedEvent Consumed(int partition, int offset)
    {
        var added = TestEvents.Added("cart-" + partition, "product-" + offset, 1, 9.99m);
        added.eventId = $"event-{partition}-{offset}";
        return new ConsumedEvent(added, "cart-events", partition, offset, added.cartId, DateTime.UtcNow, []);
    }
}
