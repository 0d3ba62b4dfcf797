using System.Text;
using System.Text.Json;
using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Confluent.SchemaRegistry;
using Microsoft.Playwright;

namespace Streams.KafkaConsole.Tests;

/// <summary>The console's pages in headless chromium against the embedded broker and registry.</summary>
[Collection(ConsoleCollection.Name)]
public sealed class ConsolePagesTests(ConsoleFixture cluster) : IAsyncLifetime
{
    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => cluster.ClosePagesAsync();

    [SkippableFact]
    public async Task Overview_lists_topics_with_their_message_counts()
    {
        await cluster.CreateTopicAsync("overview-orders", 2);
        await cluster.ProduceAsync("overview-orders", 0, 3);
        await cluster.ProduceAsync("overview-orders", 1, 2);

        var page = await cluster.OpenAsync("/");
        var row = page.Locator("tr[data-topic='overview-orders']");
        await Assertions.Expect(row.Locator("td").Nth(1)).ToHaveTextAsync("2");
        await Assertions.Expect(row.Locator("[data-messages]")).ToHaveTextAsync("5");
        // Size from DescribeLogDirs: five small records take some bytes on disk (a batch header each at least).
        await Assertions.Expect(row.Locator("[data-size]")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex("^[1-9][0-9]* B$"));
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ConsoleFixture.Screenshots, "overview.png"), FullPage = true });

        // The topic page: its size, and the overview's figure is the sum of its partitions'.
        var topic = await cluster.OpenAsync("/topics/overview-orders");
        await Assertions.Expect(topic.Locator("#topic-size")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex("^[1-9][0-9]* B$"));
        Assert.Equal(await row.Locator("[data-size]").TextContentAsync(), await topic.Locator("#topic-size").TextContentAsync());
    }

    [SkippableFact]
    public async Task A_record_produced_now_appears_in_the_live_tail_without_a_reload()
    {
        await cluster.CreateTopicAsync("tail-orders", 1);
        await cluster.ProduceAsync("tail-orders", 0, 2, "older");
        var page = await cluster.OpenAsync("/topics/tail-orders?from=end");
        await Assertions.Expect(page.Locator("table#tail[data-open='true']")).ToBeVisibleAsync();

        var traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
        var headers = new Headers { { "traceparent", Encoding.UTF8.GetBytes($"00-{traceId}-00f067aa0ba902b7-01") } };
        await cluster.ProduceAsync("tail-orders", 0, 1, "fresh-order-", headers);

        var row = page.Locator("#tail tbody tr", new() { HasText = "fresh-order-0" });
        await Assertions.Expect(row).ToBeVisibleAsync(new() { Timeout = 5000 });
        await Assertions.Expect(row.Locator("a.trace")).ToHaveAttributeAsync("href", $"http://dashboard.invalid/traces/detail/{traceId}");
        // From the end: the records written before the page opened are not in the tail.
        await Assertions.Expect(page.Locator("#tail tbody tr", new() { HasText = "older0" })).ToHaveCountAsync(0);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ConsoleFixture.Screenshots, "topic.png"), FullPage = true });
    }

    [SkippableFact]
    public async Task A_groups_lag_is_what_groups_describe_says()
    {
        await cluster.CreateTopicAsync("lag-orders", 2);
        await cluster.ProduceAsync("lag-orders", 0, 7);
        await cluster.ProduceAsync("lag-orders", 1, 4);
        await cluster.Admin.AlterConsumerGroupOffsetsAsync([new ConsumerGroupTopicPartitionOffsets("lag-readers",
            [new TopicPartitionOffset("lag-orders", 0, 2), new TopicPartitionOffset("lag-orders", 1, 1)])]);

        var describe = JsonDocument.Parse(await cluster.RunCliAsync("groups", "describe", "lag-readers", "--output", "json")).RootElement;
        var page = await cluster.OpenAsync("/groups/lag-readers");
        await Assertions.Expect(page.Locator("#total-lag")).ToHaveTextAsync(describe.GetProperty("totalLag").GetInt64().ToString(System.Globalization.CultureInfo.InvariantCulture));
        foreach (var partition in describe.GetProperty("partitions").EnumerateArray())
        {
            var row = page.Locator($"tr[data-partition='lag-orders:{partition.GetProperty("partition").GetInt32()}']");
            await Assertions.Expect(row.Locator("td.lag")).ToHaveTextAsync(partition.GetProperty("lag").GetInt64().ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        Assert.Equal(8, describe.GetProperty("totalLag").GetInt64());
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ConsoleFixture.Screenshots, "group.png"), FullPage = true });
    }

    [SkippableFact]
    public async Task A_reset_plan_appears_and_executing_it_moves_the_committed_offsets()
    {
        await cluster.CreateTopicAsync("replay-orders", 2);
        await cluster.ProduceAsync("replay-orders", 0, 5);
        await cluster.ProduceAsync("replay-orders", 1, 5);
        await cluster.Admin.AlterConsumerGroupOffsetsAsync([new ConsumerGroupTopicPartitionOffsets("replay-readers",
            [new TopicPartitionOffset("replay-orders", 0, 5), new TopicPartitionOffset("replay-orders", 1, 4)])]);

        var page = await cluster.OpenAsync("/groups/replay-readers/replay");
        await page.SelectOptionAsync("select[name='reset']", "shift");
        await page.FillAsync("input[name='value']", "-3");
        await page.ClickAsync("#plan-button");
        await Assertions.Expect(page.Locator("#plan tr[data-partition='replay-orders:0'] td.new")).ToHaveTextAsync("2");
        await Assertions.Expect(page.Locator("#plan tr[data-partition='replay-orders:1'] td.new")).ToHaveTextAsync("1");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ConsoleFixture.Screenshots, "replay.png"), FullPage = true });
        // A dry run changes nothing.
        Assert.Equal(new long[] { 5, 4 }, await CommittedAsync("replay-readers", "replay-orders"));

        await page.ClickAsync("#execute-button");
        await Assertions.Expect(page.Locator("h2", new() { HasText = "Executed" })).ToBeVisibleAsync();
        Assert.Equal(new long[] { 2, 1 }, await CommittedAsync("replay-readers", "replay-orders"));
    }

    [SkippableFact]
    public async Task A_reset_of_an_active_group_is_refused()
    {
        await cluster.CreateTopicAsync("active-orders", 1);
        using var consumer = new ConsumerBuilder<Ignore, Ignore>(new ConsumerConfig { BootstrapServers = cluster.Bootstrap, GroupId = "active-readers" }).Build();
        consumer.Subscribe("active-orders");
        for (var i = 0; i < 100 && consumer.Assignment.Count == 0; i++)
        {
            consumer.Consume(TimeSpan.FromMilliseconds(100));
        }

        var page = await cluster.OpenAsync("/groups/active-readers/replay?reset=earliest");
        await Assertions.Expect(page.Locator("#replay-error")).ToContainTextAsync("is active");
        await Assertions.Expect(page.Locator("#execute-button")).ToHaveCountAsync(0);
        consumer.Close();
    }

    [SkippableFact]
    public async Task Schemas_show_versions_a_diff_and_the_registrys_compatibility_answer()
    {
        using var registry = new CachedSchemaRegistryClient(new SchemaRegistryConfig { Url = cluster.RegistryUrl });
        await registry.RegisterSchemaAsync("diff-orders-value", new Schema("""{"type":"record","name":"Order","fields":[{"name":"id","type":"string"}]}""", SchemaType.Avro));
        await registry.RegisterSchemaAsync("diff-orders-value", new Schema("""{"type":"record","name":"Order","fields":[{"name":"id","type":"string"},{"name":"total","type":"double","default":0}]}""", SchemaType.Avro));

        var list = await cluster.OpenAsync("/schemas");
        await Assertions.Expect(list.Locator("#subjects")).ToContainTextAsync("diff-orders-value");
        await list.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ConsoleFixture.Screenshots, "schemas.png"), FullPage = true });

        var page = await cluster.OpenAsync("/schemas/diff-orders-value");
        await Assertions.Expect(page.Locator("#diff .added", new() { HasText = "\"total\"" })).ToHaveCountAsync(1);
        await Assertions.Expect(page.Locator("#diff .removed")).ToHaveCountAsync(0);
        // A required field without a default breaks BACKWARD compatibility: the registry says no.
        await page.FillAsync("textarea", """{"type":"record","name":"Order","fields":[{"name":"id","type":"string"},{"name":"total","type":"double"},{"name":"currency","type":"string"}]}""");
        await page.ClickAsync("#check-button");
        await Assertions.Expect(page.Locator("#verdict")).ToHaveTextAsync("NOT compatible with diff-orders-value.");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ConsoleFixture.Screenshots, "subject.png"), FullPage = true });
    }

    [Theory]
    [InlineData("/topics/no-such-topic", "No topic named")]
    [InlineData("/groups/no-such-group", "No consumer group named")]
    [InlineData("/schemas/no-such-subject-value", "No subject named")]
    public async Task An_address_naming_nothing_answers_404_with_a_message_not_500(string path, string message)
    {
        using var http = new HttpClient();
        using var response = await http.GetAsync(new Uri(cluster.ConsoleUrl + path));
        var body = await response.Content.ReadAsStringAsync();
        Assert.Equal(System.Net.HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains(message, body, StringComparison.Ordinal);
        Assert.Contains("id=\"not-found\"", body, StringComparison.Ordinal);
    }

    private async Task<long[]> CommittedAsync(string group, string topic)
    {
        var results = await cluster.Admin.ListConsumerGroupOffsetsAsync([new ConsumerGroupTopicPartitions(group, null)]);
        return [.. results.SelectMany(r => r.Partitions).Where(p => p.Topic == topic).OrderBy(p => p.Partition.Value).Select(p => p.Offset.Value)];
    }
}
