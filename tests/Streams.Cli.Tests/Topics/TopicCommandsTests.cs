using Streams.Cli.Tests.Support;
using Streams.Contracts.Topics;

namespace Streams.Cli.Tests.Topics;

[Collection(ClusterCollection.Name)]
public sealed class TopicCommandsTests(ClusterFixture cluster)
{
    [Fact]
    public async Task Create_describe_alter_list_and_delete_a_topic()
    {
        var topic = "admin-" + Guid.NewGuid().ToString("N")[..8];

        var created = await cluster.RunAsync("topics", "create", topic, "--partitions", "2", "--config", "retention.ms=3600000");
        var again = await cluster.RunAsync("topics", "create", topic, "--partitions", "2");
        var tolerated = await cluster.RunAsync("topics", "create", topic, "--if-not-exists");
        var altered = await cluster.RunAsync("topics", "alter", topic, "--partitions", "3", "--config", "cleanup.policy=compact", "--delete-config", "retention.ms");
        var described = await cluster.RunAsync("topics", "describe", topic, "-o", "json");
        var listed = await cluster.RunAsync("topics", "list", "-o", "json");
        var deleted = await cluster.RunAsync("topics", "delete", topic);
        var missing = await cluster.RunAsync("topics", "describe", topic);

        Assert.True(created.ExitCode == 0, created.ToString());
        Assert.Equal(1, again.ExitCode);
        Assert.Contains("already exists", again.Error, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(0, tolerated.ExitCode);
        Assert.True(altered.ExitCode == 0, altered.ToString());
        Assert.True(described.ExitCode == 0, described.ToString());
        Assert.Equal(3, described.Json.GetProperty("partitions").GetArrayLength());
        var configs = described.Json.GetProperty("configs");
        Assert.Equal("compact", configs.GetProperty("cleanup.policy").GetString());
        Assert.False(configs.TryGetProperty("retention.ms", out _));
        Assert.Contains(listed.Json.EnumerateArray(), t => t.GetProperty("topic").GetString() == topic && t.GetProperty("partitions").GetInt32() == 3);
        Assert.True(deleted.ExitCode == 0, deleted.ToString());
        Assert.Equal(1, missing.ExitCode);
    }

    [Fact]
    public async Task Alter_refuses_to_shrink_and_needs_something_to_change()
    {
        var topic = "shrink-" + Guid.NewGuid().ToString("N")[..8];
        await cluster.CreateTopicAsync(topic, 3);

        var shrink = await cluster.RunAsync("topics", "alter", topic, "--partitions", "2");
        var nothing = await cluster.RunAsync("topics", "alter", topic);

        Assert.Equal(1, shrink.ExitCode);
        Assert.Contains("cannot reduce", shrink.Error, StringComparison.Ordinal);
        Assert.Equal(2, nothing.ExitCode);
    }

    [Fact]
    public async Task Apply_shows_the_diff_then_creates_the_catalog_and_is_idempotent()
    {
        // Drift on one catalog topic: too few partitions and a wrong retention; the rest are missing.
        await cluster.CreateTopicAsync(TopicCatalog.SecurityAlerts.Name, 1, new() { ["retention.ms"] = "1000" });

        var dryRun = await cluster.RunAsync("topics", "apply", "-o", "json");
        var applied = await cluster.RunAsync("topics", "apply", "--execute");
        var second = await cluster.RunAsync("topics", "apply", "-o", "json");
        var described = await cluster.RunAsync("topics", "describe", TopicCatalog.SecurityAlerts.Name, "-o", "json");

        Assert.True(dryRun.ExitCode == 0, dryRun.ToString());
        var changes = dryRun.Json.GetProperty("changes").EnumerateArray().Select(c => (c.GetProperty("topic").GetString(), c.GetProperty("action").GetString())).ToList();
        Assert.Contains((TopicCatalog.Logins.Name, "create"), changes);
        Assert.Contains((TopicCatalog.SecurityAlerts.Name, "add-partitions"), changes);
        Assert.Contains((TopicCatalog.SecurityAlerts.Name, "set-config"), changes);
        Assert.DoesNotContain((TopicCatalog.SecurityAlerts.Name, "create"), changes);
        Assert.True(applied.ExitCode == 0, applied.ToString());
        Assert.True(second.Json.GetProperty("inSync").GetBoolean(), second.ToString());
        Assert.Equal(TopicCatalog.SecurityAlerts.Partitions, described.Json.GetProperty("partitions").GetArrayLength());
        Assert.Equal("-1", described.Json.GetProperty("configs").GetProperty("retention.ms").GetString());
    }
}
