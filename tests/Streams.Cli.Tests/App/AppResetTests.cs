using Streams.Cli.Tests.Support;

namespace Streams.Cli.Tests.App;

[Collection(ClusterCollection.Name)]
public sealed class AppResetTests(ClusterFixture cluster) : IDisposable
{
    private readonly string _stateDir = Path.Combine(Path.GetTempPath(), "streams-cli-state", Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_stateDir))
        {
            Directory.Delete(_stateDir, recursive: true);
        }
    }

    /// <summary>What a Streamiz application leaves behind: offsets on its input and repartition topics, internal topics, a state directory.</summary>
    private async Task<(string AppId, string Input, string Changelog, string Repartition, string Store)> SetUpAsync()
    {
        var id = Guid.NewGuid().ToString("N")[..8];
        var appId = $"app-{id}";
        var input = $"orders-{id}";
        var changelog = $"{appId}-KSTREAM-AGGREGATE-STATE-STORE-0000000001-changelog";
        var repartition = $"{appId}-KSTREAM-KEY-SELECT-0000000002-repartition";
        await cluster.CreateTopicAsync(input, 2);
        await cluster.CreateTopicAsync(changelog, 2);
        await cluster.CreateTopicAsync(repartition, 2);
        await cluster.ProduceAsync(input, 2, 10, DateTimeOffset.UtcNow.AddHours(-10));
        await cluster.ProduceAsync(repartition, 1, 4, DateTimeOffset.UtcNow);
        await cluster.CommitAsync(appId, input, 10, 10);
        await cluster.CommitAsync(appId, repartition, 4);
        var store = Path.Combine(_stateDir, appId, "0_0", "rocksdb");
        Directory.CreateDirectory(store);
        await File.WriteAllTextAsync(Path.Combine(store, "CURRENT"), "MANIFEST-000001");
        return (appId, input, changelog, repartition, store);
    }

    private async Task<HashSet<string>> TopicsAsync() => [.. (await Task.Run(() => cluster.Admin.GetMetadata(TimeSpan.FromSeconds(10)))).Topics.Select(t => t.Topic)];

    [Fact]
    public async Task Dry_run_shows_the_plan_and_changes_nothing()
    {
        var (appId, input, changelog, repartition, store) = await SetUpAsync();

        var run = await cluster.RunAsync("app", "reset", "--application-id", appId, "--state-dir", _stateDir, "-o", "json");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.False(run.Json.GetProperty("executed").GetBoolean());
        Assert.Equal([changelog, repartition], run.Json.GetProperty("deleteTopics").EnumerateArray().Select(t => t.GetString()));
        Assert.Equal(Path.Combine(_stateDir, appId), run.Json.GetProperty("deleteStateDirectory").GetString());
        var offsets = run.Json.GetProperty("offsets").EnumerateArray().ToList();
        Assert.All(offsets, o => Assert.Equal(input, o.GetProperty("topic").GetString()));
        Assert.Equal([0L, 0L], offsets.Select(o => o.GetProperty("newOffset").GetInt64()));
        Assert.True(Directory.Exists(store));
        Assert.Superset(new HashSet<string> { changelog, repartition }, await TopicsAsync());
        Assert.Equal(new Dictionary<int, long> { [0] = 10, [1] = 10 }, await cluster.CommittedAsync(appId, input));
    }

    [Fact]
    public async Task Execute_resets_inputs_deletes_internal_topics_their_offsets_and_local_state()
    {
        var (appId, input, changelog, repartition, store) = await SetUpAsync();

        var run = await cluster.RunAsync("app", "reset", "--application-id", appId, "--state-dir", _stateDir, "--topic", input, "--to-datetime", DateTimeOffset.UtcNow.AddHours(-10).AddMinutes(30).ToString("O"), "--execute");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal(new Dictionary<int, long> { [0] = 1, [1] = 1 }, await cluster.CommittedAsync(appId, input));
        Assert.Empty(await cluster.CommittedAsync(appId, repartition));
        var topics = await TopicsAsync();
        Assert.DoesNotContain(changelog, topics);
        Assert.DoesNotContain(repartition, topics);
        Assert.Contains(input, topics);
        Assert.False(Directory.Exists(Path.Combine(_stateDir, appId)));
        Assert.False(Directory.Exists(store));
    }

    [Fact]
    public async Task Internal_topics_cannot_be_reset_as_inputs()
    {
        var (appId, _, changelog, _, _) = await SetUpAsync();

        var run = await cluster.RunAsync("app", "reset", "--application-id", appId, "--topic", changelog);

        Assert.Equal(2, run.ExitCode);
    }
}
