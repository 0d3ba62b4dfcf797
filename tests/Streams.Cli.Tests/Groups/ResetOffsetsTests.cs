using Confluent.Kafka;
using Streams.Cli.Tests.Support;

namespace Streams.Cli.Tests.Groups;

[Collection(ClusterCollection.Name)]
public sealed class ResetOffsetsTests(ClusterFixture cluster)
{
    // Each test gets a fresh topic: 2 partitions x 10 records, record i stamped First + i hours; the group starts at 5 and 3.
    private static readonly DateTimeOffset First = DateTimeOffset.UtcNow.AddHours(-10);

    private async Task<(string Topic, string Group)> SetUpAsync()
    {
        var id = Guid.NewGuid().ToString("N")[..8];
        var topic = $"reset-{id}";
        var group = $"readers-{id}";
        await cluster.CreateTopicAsync(topic, 2);
        await cluster.ProduceAsync(topic, 2, 10, First);
        await cluster.CommitAsync(group, topic, 5, 3);
        return (topic, group);
    }

    public static TheoryData<string[], long, long> Specifiers => new()
    {
        { ["--to-earliest"], 0, 0 },
        { ["--to-latest"], 10, 10 },
        { ["--to-current"], 5, 3 },
        { ["--to-offset", "7"], 7, 7 },
        { ["--to-offset", "100"], 10, 10 },
        { ["--shift-by", "-4"], 1, 0 },
        { ["--shift-by", "2"], 7, 5 },
        { ["--to-datetime", First.AddHours(4).ToString("yyyy-MM-ddTHH:mm:ss.fffZ", System.Globalization.CultureInfo.InvariantCulture)], 4, 4 },
        { ["--to-datetime", "2999-01-01T00:00:00Z"], 10, 10 },
        { ["--by-duration", "PT2H30M"], 8, 8 },
    };

    [Theory]
    [MemberData(nameof(Specifiers))]
    public async Task Each_specifier_sets_the_expected_offsets(string[] specifier, long partition0, long partition1)
    {
        var (topic, group) = await SetUpAsync();

        var run = await cluster.RunAsync(["groups", "reset-offsets", group, "--topic", topic, .. specifier, "--execute"]);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal(new Dictionary<int, long> { [0] = partition0, [1] = partition1 }, await cluster.CommittedAsync(group, topic));
    }

    [Fact]
    public async Task Dry_run_prints_the_plan_and_changes_nothing()
    {
        var (topic, group) = await SetUpAsync();

        var table = await cluster.RunAsync("groups", "reset-offsets", group, "--topic", topic, "--to-earliest");
        var json = await cluster.RunAsync("groups", "reset-offsets", group, "--all-topics", "--to-earliest", "--dry-run", "--output", "json");

        Assert.Equal(0, table.ExitCode);
        Assert.Contains("NEW-OFFSET", table.Output, StringComparison.Ordinal);
        Assert.Contains("Dry run", table.Error, StringComparison.Ordinal);
        Assert.False(json.Json.GetProperty("executed").GetBoolean());
        var offsets = json.Json.GetProperty("offsets").EnumerateArray().ToList();
        Assert.Equal([5L, 3L], offsets.Select(o => o.GetProperty("currentOffset").GetInt64()));
        Assert.Equal([0L, 0L], offsets.Select(o => o.GetProperty("newOffset").GetInt64()));
        Assert.Equal(new Dictionary<int, long> { [0] = 5, [1] = 3 }, await cluster.CommittedAsync(group, topic));
    }

    [Fact]
    public async Task Partition_scope_resets_only_the_listed_partitions()
    {
        var (topic, group) = await SetUpAsync();

        var run = await cluster.RunAsync("groups", "reset-offsets", group, "--topic", $"{topic}:1", "--to-earliest", "--execute");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal(new Dictionary<int, long> { [0] = 5, [1] = 0 }, await cluster.CommittedAsync(group, topic));
    }

    [Fact]
    public async Task Export_writes_a_plan_that_from_file_applies()
    {
        var (topic, group) = await SetUpAsync();
        var file = Path.Combine(Path.GetTempPath(), $"{group}.csv");
        try
        {
            var export = await cluster.RunAsync("groups", "reset-offsets", group, "--all-topics", "--shift-by", "-1", "--export", file);
            Assert.True(export.ExitCode == 0, export.ToString());
            Assert.Equal([$"{topic},0,4", $"{topic},1,2"], await File.ReadAllLinesAsync(file));
            Assert.Equal(new Dictionary<int, long> { [0] = 5, [1] = 3 }, await cluster.CommittedAsync(group, topic));

            var apply = await cluster.RunAsync("groups", "reset-offsets", group, "--from-file", file, "--execute");

            Assert.True(apply.ExitCode == 0, apply.ToString());
            Assert.Equal(new Dictionary<int, long> { [0] = 4, [1] = 2 }, await cluster.CommittedAsync(group, topic));
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task Active_group_is_refused_naming_its_members()
    {
        var (topic, group) = await SetUpAsync();
        using var consumer = new ConsumerBuilder<Ignore, Ignore>(new ConsumerConfig
        {
            BootstrapServers = cluster.Bootstrap,
            GroupId = group,
            ClientId = "busy-reader",
            EnableAutoCommit = false,
        }).Build();
        consumer.Subscribe(topic);
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (consumer.Assignment.Count == 0 && DateTime.UtcNow < deadline)
        {
            consumer.Consume(TimeSpan.FromMilliseconds(100));
        }

        var run = await cluster.RunAsync("groups", "reset-offsets", group, "--all-topics", "--to-earliest", "--execute");

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("is active", run.Error, StringComparison.Ordinal);
        Assert.Contains("busy-reader", run.Error, StringComparison.Ordinal);
        consumer.Close();
        Assert.Equal(new Dictionary<int, long> { [0] = 5, [1] = 3 }, await cluster.CommittedAsync(group, topic));
    }

    [Theory]
    [InlineData("--topic", "t")]
    [InlineData("--topic", "t", "--to-earliest", "--to-latest")]
    [InlineData("--to-earliest")]
    [InlineData("--all-topics", "--topic", "t", "--to-earliest")]
    [InlineData("--topic", "t:x", "--to-earliest")]
    [InlineData("--all-topics", "--by-duration", "an hour")]
    [InlineData("--all-topics", "--to-offset", "many")]
    public async Task Wrong_command_lines_exit_with_2(params string[] args)
    {
        var run = await cluster.RunAsync(["groups", "reset-offsets", "g", .. args]);

        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.Empty(run.Output);
    }

    [Fact]
    public async Task Shift_without_a_committed_offset_fails_with_1()
    {
        var (topic, _) = await SetUpAsync();

        var run = await cluster.RunAsync("groups", "reset-offsets", "nobody-" + topic, "--topic", topic, "--shift-by", "1");

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("no committed offset", run.Error, StringComparison.Ordinal);
    }
}
