using System.Text.Json;
using Streams.Cli.Tests.Support;

namespace Streams.Cli.Tests;

/// <summary>
/// The Kafka tools' flag names beside the CLI's positional names: <c>--group</c> (kafka-consumer-groups.sh),
/// <c>--topic</c> (kafka-topics.sh, kafka-console-consumer.sh, the perf tests), <c>--bootstrap-server</c>.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class KafkaFlagTests(ClusterFixture cluster)
{
    private const string Login = """{"eventId":"e-1","occurredAt":"2026-03-01T08:00:00Z","employeeId":"emp-7","application":"crm","sourceAddress":"10.0.0.1","outcome":"Failed","failureReason":"wrong password"}""";

    private static string NewName(string prefix) => $"{prefix}-{Guid.NewGuid().ToString("N")[..8]}";

    private static List<JsonElement> Lines(CliRun run) =>
        [.. run.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement)];

    [Fact]
    public async Task Group_flag_names_the_group_of_describe_and_reset_offsets()
    {
        var topic = NewName("flag-group");
        var group = NewName("flagged");
        await cluster.CreateTopicAsync(topic, 1);
        await cluster.ProduceAsync(topic, 1, 4, DateTimeOffset.UtcNow);
        await cluster.CommitAsync(group, topic, 3);

        var positional = await cluster.RunAsync("groups", "describe", group, "-o", "json");
        var flagged = await cluster.RunAsync("groups", "describe", "--group", group, "-o", "json");
        var both = await cluster.RunAsync("groups", "describe", group, "--group", group, "-o", "json");
        var reset = await cluster.RunAsync("groups", "reset-offsets", "--group", group, "--topic", topic, "--to-earliest", "-o", "json");

        Assert.True(flagged.ExitCode == 0, flagged.ToString());
        Assert.Equal(positional.Output, flagged.Output);
        Assert.Equal(positional.Output, both.Output);
        Assert.True(reset.ExitCode == 0, reset.ToString());
        Assert.Equal(0, reset.Json.GetProperty("offsets")[0].GetProperty("newOffset").GetInt64());
    }

    [Fact]
    public async Task Topic_flag_names_the_topic_of_the_topics_commands()
    {
        var topic = NewName("flag-topic");

        var created = await cluster.RunAsync("topics", "create", "--topic", topic, "--partitions", "2");
        var altered = await cluster.RunAsync("topics", "alter", "--topic", topic, "--partitions", "3");
        var described = await cluster.RunAsync("topics", "describe", "--topic", topic, "-o", "json");
        var deleted = await cluster.RunAsync("topics", "delete", "--topic", topic);
        var gone = await cluster.RunAsync("topics", "describe", topic);

        Assert.True(created.ExitCode == 0, created.ToString());
        Assert.True(altered.ExitCode == 0, altered.ToString());
        Assert.Equal(3, described.Json.GetProperty("partitions").GetArrayLength());
        Assert.True(deleted.ExitCode == 0, deleted.ToString());
        Assert.Equal(1, gone.ExitCode);
    }

    [Fact]
    public async Task Topic_flag_names_the_topic_of_produce_tail_and_perf()
    {
        var topic = NewName("flag-records");
        await cluster.CreateTopicAsync(topic, 1);

        var produced = await cluster.RunWithInputAsync(Login, "produce", "--topic", topic, "--type", "EmployeeLoggedIn");
        var tailed = await cluster.RunAsync("tail", "--topic", topic, "-o", "json");
        var consumed = await cluster.RunAsync("perf", "consume", "--topic", topic, "-o", "json");

        Assert.True(produced.ExitCode == 0, produced.ToString());
        Assert.Equal("crm", Assert.Single(Lines(tailed)).GetProperty("value").GetProperty("application").GetString());
        Assert.True(consumed.ExitCode == 0, consumed.ToString());
        Assert.Equal(1, consumed.Json.GetProperty("result").GetProperty("messages").GetInt64());
    }

    [Theory]
    [InlineData("groups", "describe", "a", "--group", "b")]
    [InlineData("groups", "reset-offsets", "a", "--group", "b", "--all-topics", "--to-earliest")]
    [InlineData("topics", "describe", "a", "--topic", "b")]
    [InlineData("topics", "delete", "a", "--topic", "b")]
    [InlineData("tail", "a", "--topic", "b")]
    [InlineData("replay", "a", "--topic", "b", "--consumer", "notifier")]
    public async Task A_positional_name_and_a_different_flag_are_a_usage_error(params string[] args)
    {
        var run = await cluster.RunAsync(args);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("'a' and --", run.Error, StringComparison.Ordinal);
        Assert.Contains("differ", run.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("groups", "describe")]
    [InlineData("topics", "create")]
    [InlineData("topics", "delete")]
    [InlineData("produce")]
    public async Task Neither_a_positional_name_nor_the_flag_is_a_usage_error(params string[] args)
    {
        var run = await cluster.RunAsync(args);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("error: give the", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bootstrap_server_is_the_bootstrap_option()
    {
        var topic = NewName("flag-bootstrap");
        await cluster.CreateTopicAsync(topic, 1);
        using var output = new StringWriter();
        using var error = new StringWriter();

        var exitCode = await StreamsCli.RunAsync(["topics", "describe", topic, "--bootstrap-server", cluster.Bootstrap, "-o", "json"], output, error);

        Assert.True(exitCode == 0, error.ToString());
        Assert.Equal(topic, JsonDocument.Parse(output.ToString()).RootElement.GetProperty("topic").GetString());
    }
}
