using System.Text;
using Confluent.Kafka;
using Streams.Cli.Tests.Support;
using Streams.Messaging.Consuming;
using Streams.Messaging.Events;

namespace Streams.Cli.Tests.DeadLetters;

[Collection(ClusterCollection.Name)]
public sealed class DeadLetterCommandsTests(ClusterFixture cluster)
{
    private async Task<(string DeadLetters, string Original)> SeedAsync()
    {
        var suffix = Guid.NewGuid().ToString("N")[..8];
        var (dlq, original) = ("dlq-" + suffix, "orig-" + suffix);
        await cluster.CreateTopicAsync(dlq, 1);
        await cluster.CreateTopicAsync(original, 2);
        using var writer = new DeadLetterWriter([new("bootstrap.servers", cluster.Bootstrap)], dlq);
        foreach (var (id, group, reason) in new[] { ("evt-1", "audit-projection", "handler-failed-after-retries"), ("evt-2", "notifier", "deserialization-failed") })
        {
            var headers = new Headers();
            new EventMetadata(id, "Streams.Contracts.Logins.EmployeeLoggedIn", "/test", DateTime.UtcNow, null, id).WriteTo(headers);
            await writer.WriteAsync(new DeadLetter(original, 1, 7, Encoding.UTF8.GetBytes("key-" + id), Encoding.UTF8.GetBytes("{\"v\":\"" + id + "\"}"), headers, reason, new InvalidOperationException("boom " + id), group));
        }

        return (dlq, original);
    }

    private List<ConsumeResult<string, string>> ReadAll(string topic)
    {
        using var consumer = new ConsumerBuilder<string, string>(new ConsumerConfig { BootstrapServers = cluster.Bootstrap, GroupId = "t-" + Guid.NewGuid(), EnablePartitionEof = true, AutoOffsetReset = AutoOffsetReset.Earliest }).Build();
        consumer.Subscribe(topic);
        var records = new List<ConsumeResult<string, string>>();
        var eofs = 0;
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (eofs < 2 && DateTime.UtcNow < deadline)
        {
            if (consumer.Consume(TimeSpan.FromMilliseconds(200)) is { } r)
            {
                if (r.IsPartitionEOF)
                {
                    eofs++;
                }
                else
                {
                    records.Add(r);
                }
            }
        }

        return records;
    }

    [Fact]
    public async Task List_filters_by_group_and_reason_and_show_prints_one_in_full()
    {
        var (dlq, original) = await SeedAsync();

        var all = await cluster.RunAsync("dead-letters", "list", "--dlq-topic", dlq, "-o", "json");
        var notifier = await cluster.RunAsync("dead-letters", "list", "--dlq-topic", dlq, "--group", "notifier", "-o", "json");
        var byReason = await cluster.RunAsync("dead-letters", "list", "--dlq-topic", dlq, "--reason", "handler-failed-after-retries", "-o", "json");
        var show = await cluster.RunAsync("dead-letters", "show", "0:1", "--dlq-topic", dlq, "-o", "json");

        Assert.True(all.ExitCode == 0, all.ToString());
        Assert.Equal(2, all.Json.GetArrayLength());
        Assert.Equal("evt-2", Assert.Single(notifier.Json.EnumerateArray()).GetProperty("eventId").GetString());
        Assert.Equal("evt-1", Assert.Single(byReason.Json.EnumerateArray()).GetProperty("eventId").GetString());
        Assert.True(show.ExitCode == 0, show.ToString());
        Assert.Equal("deserialization-failed", show.Json.GetProperty("reason").GetString());
        Assert.Equal($"{original}/1@7", show.Json.GetProperty("original").GetString());
        Assert.Contains("boom evt-2", show.Json.GetProperty("exception").GetString(), StringComparison.Ordinal);
        Assert.Equal("{\"v\":\"evt-2\"}", show.Json.GetProperty("value").GetString());
    }

    [Fact]
    public async Task Redrive_sends_a_dead_letter_back_once_however_often_it_runs()
    {
        var (dlq, original) = await SeedAsync();

        var dry = await cluster.RunAsync("dead-letters", "redrive", "--dlq-topic", dlq, "--dead-letter", "0:0", "-o", "json");
        Assert.True(dry.ExitCode == 0, dry.ToString());
        Assert.Equal("would-send", Assert.Single(dry.Json.EnumerateArray()).GetProperty("action").GetString());
        Assert.Empty(ReadAll(original));

        var first = await cluster.RunAsync("dead-letters", "redrive", "--dlq-topic", dlq, "--dead-letter", "0:0", "--execute", "-o", "json");
        var second = await cluster.RunAsync("dead-letters", "redrive", "--dlq-topic", dlq, "--dead-letter", "0:0", "--execute", "-o", "json");

        Assert.True(first.ExitCode == 0, first.ToString());
        Assert.StartsWith("sent to " + original, Assert.Single(first.Json.EnumerateArray()).GetProperty("action").GetString(), StringComparison.Ordinal);
        Assert.True(second.ExitCode == 0, second.ToString());
        Assert.Equal("already-redriven", Assert.Single(second.Json.EnumerateArray()).GetProperty("action").GetString());
        var redriven = Assert.Single(ReadAll(original));
        Assert.Equal("key-evt-1", redriven.Message.Key);
        Assert.Equal("{\"v\":\"evt-1\"}", redriven.Message.Value);
        Assert.Equal("evt-1", EventMetadata.ReadFrom(redriven.Message.Headers)!.Id);
        Assert.DoesNotContain(redriven.Message.Headers, h => h.Key.StartsWith("dlq-", StringComparison.Ordinal));
        Assert.Equal($"{dlq}/0/0", Encoding.UTF8.GetString(redriven.Message.Headers.GetLastBytes("streams-redriven-from")));
    }

    [Fact]
    public async Task Redrive_without_a_selection_is_a_usage_error()
    {
        var (dlq, _) = await SeedAsync();

        var run = await cluster.RunAsync("dead-letters", "redrive", "--dlq-topic", dlq, "--execute");

        Assert.Equal(2, run.ExitCode);
    }
}
