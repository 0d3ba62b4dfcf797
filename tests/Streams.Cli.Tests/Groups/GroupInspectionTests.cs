using Confluent.Kafka;
using Streams.Cli.Tests.Support;

namespace Streams.Cli.Tests.Groups;

[Collection(ClusterCollection.Name)]
public sealed class GroupInspectionTests(ClusterFixture cluster)
{
    [Fact]
    public async Task List_and_describe_show_state_members_offsets_and_lag()
    {
        var id = Guid.NewGuid().ToString("N")[..8];
        var topic = $"lag-{id}";
        var group = $"lagging-{id}";
        await cluster.CreateTopicAsync(topic, 2);
        await cluster.ProduceAsync(topic, 2, 6, DateTimeOffset.UtcNow);
        await cluster.CommitAsync(group, topic, 2, 6);

        var list = await cluster.RunAsync("groups", "list", "-o", "json");
        var described = await cluster.RunAsync("groups", "describe", group, "--output", "json");
        var table = await cluster.RunAsync("groups", "describe", group);

        Assert.True(list.ExitCode == 0, list.ToString());
        Assert.Contains(list.Json.EnumerateArray(), g => g.GetProperty("group").GetString() == group && g.GetProperty("state").GetString() == "Empty");
        Assert.True(described.ExitCode == 0, described.ToString());
        Assert.Equal("Empty", described.Json.GetProperty("state").GetString());
        Assert.Equal(4, described.Json.GetProperty("totalLag").GetInt64());
        var partitions = described.Json.GetProperty("partitions").EnumerateArray().ToList();
        Assert.Equal([2L, 6L], partitions.Select(p => p.GetProperty("committedOffset").GetInt64()));
        Assert.Equal([6L, 6L], partitions.Select(p => p.GetProperty("logEndOffset").GetInt64()));
        Assert.Equal([4L, 0L], partitions.Select(p => p.GetProperty("lag").GetInt64()));
        Assert.Contains("LOG-END-OFFSET", table.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Describe_shows_the_members_and_their_assignments()
    {
        var id = Guid.NewGuid().ToString("N")[..8];
        var topic = $"members-{id}";
        var group = $"active-{id}";
        await cluster.CreateTopicAsync(topic, 2);
        using var consumer = new ConsumerBuilder<Ignore, Ignore>(new ConsumerConfig { BootstrapServers = cluster.Bootstrap, GroupId = group, ClientId = "watcher" }).Build();
        consumer.Subscribe(topic);
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (consumer.Assignment.Count == 0 && DateTime.UtcNow < deadline)
        {
            consumer.Consume(TimeSpan.FromMilliseconds(100));
        }

        var described = await cluster.RunAsync("groups", "describe", group, "-o", "json");

        Assert.True(described.ExitCode == 0, described.ToString());
        Assert.Equal("Stable", described.Json.GetProperty("state").GetString());
        var member = Assert.Single(described.Json.GetProperty("members").EnumerateArray());
        Assert.Equal("watcher", member.GetProperty("clientId").GetString());
        Assert.Equal(2, member.GetProperty("assignments").GetArrayLength());
        Assert.All(described.Json.GetProperty("partitions").EnumerateArray(), p => Assert.Equal("watcher", p.GetProperty("clientId").GetString()));
        consumer.Close();
    }

    [Fact]
    public async Task Describing_an_unknown_group_fails_with_1()
    {
        var run = await cluster.RunAsync("groups", "describe", "no-such-group-" + Guid.NewGuid().ToString("N"));

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("does not exist", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Describe_survives_offsets_on_a_deleted_topic()
    {
        var id = Guid.NewGuid().ToString("N")[..8];
        var topic = $"gone-{id}";
        var group = $"orphaned-{id}";
        await cluster.CreateTopicAsync(topic, 1);
        await cluster.CommitAsync(group, topic, 0);
        await cluster.Admin.DeleteTopicsAsync([topic]);

        var described = await cluster.RunAsync("groups", "describe", group, "-o", "json");

        Assert.True(described.ExitCode == 0, described.ToString());
        var partition = Assert.Single(described.Json.GetProperty("partitions").EnumerateArray());
        Assert.Equal(0, partition.GetProperty("committedOffset").GetInt64());
        Assert.Equal(System.Text.Json.JsonValueKind.Null, partition.GetProperty("logEndOffset").ValueKind);
        Assert.Equal(System.Text.Json.JsonValueKind.Null, partition.GetProperty("lag").ValueKind);
    }
}
