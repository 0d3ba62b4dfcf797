using Streams.Cli.Tests.Support;
using Streams.Consumers;

namespace Streams.Cli.Tests.Replay;

[Collection(ClusterCollection.Name)]
public sealed class ReplayTests(ClusterFixture cluster)
{
    [Fact]
    public async Task Replays_a_range_through_the_audit_projection_without_moving_the_group()
    {
        var topic = "replay-" + Guid.NewGuid().ToString("N")[..8];
        var dataDir = Path.Combine(Path.GetTempPath(), "streams-cli-replay", Guid.NewGuid().ToString("N"));
        await cluster.CreateTopicAsync(topic, 1);
        var lines = Enumerable.Range(0, 5).Select(i =>
            $$"""{"eventId":"e-{{i}}","occurredAt":"2026-03-01T08:00:0{{i}}Z","employeeId":"emp-{{i}}","application":"crm","sourceAddress":"10.0.0.1","outcome":"Succeeded"}""");
        var produced = await cluster.RunWithInputAsync(string.Join('\n', lines), "produce", topic, "--type", "EmployeeLoggedIn", "--key-field", "employeeId");
        Assert.True(produced.ExitCode == 0, produced.ToString());
        await cluster.CommitAsync(AuditProjection.GroupId, topic, 5);
        try
        {
            var run = await cluster.RunAsync("replay", topic, "--consumer", AuditProjection.GroupId, "--from", "1", "--to", "4", "--data-dir", dataDir, "-o", "json");

            Assert.True(run.ExitCode == 0, run.ToString());
            Assert.Equal(3, run.Json.GetProperty("replayed").GetInt64());
            using (var audit = new AuditProjection(Path.Combine(dataDir, "audit.db")))
            {
                Assert.Equal(3, audit.Count());
            }

            Assert.Equal(new Dictionary<int, long> { [0] = 5 }, await cluster.CommittedAsync(AuditProjection.GroupId, topic));
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(dataDir, recursive: true);
        }
    }

    [Fact]
    public async Task Only_the_workers_consumers_can_be_named()
    {
        var run = await cluster.RunAsync("replay", "logins", "--consumer", "someone-else");

        Assert.Equal(2, run.ExitCode);
    }
}
