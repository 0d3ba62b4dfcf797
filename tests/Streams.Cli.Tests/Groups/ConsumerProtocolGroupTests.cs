using Confluent.Kafka;
using Streams.Cli.Tests.Support;

namespace Streams.Cli.Tests.Groups;

/// <summary>The group commands with a KIP-848 consumer group (librdkafka with <c>GroupProtocol = Consumer</c>).</summary>
[Collection(ClusterCollection.Name)]
public sealed class ConsumerProtocolGroupTests(ClusterFixture cluster)
{
    [Fact]
    public async Task List_describe_and_reset_offsets_treat_a_consumer_group_like_a_classic_one()
    {
        var id = Guid.NewGuid().ToString("N")[..8];
        var topic = $"kip848-{id}";
        var group = $"modern-{id}";
        await cluster.CreateTopicAsync(topic, 2);
        var config = new ConsumerConfig { BootstrapServers = cluster.Bootstrap, GroupId = group, ClientId = "modern-reader", EnableAutoCommit = false, GroupProtocol = GroupProtocol.Consumer };
        using var consumer = new ConsumerBuilder<Ignore, Ignore>(config).Build();
        consumer.Subscribe(topic);
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (consumer.Assignment.Count < 2 && DateTime.UtcNow < deadline)
        {
            consumer.Consume(TimeSpan.FromMilliseconds(100));
        }

        var list = await cluster.RunAsync("groups", "list", "-o", "json");
        var described = await cluster.RunAsync("groups", "describe", group, "-o", "json");
        var reset = await cluster.RunAsync("groups", "reset-offsets", group, "--all-topics", "--to-earliest", "--execute");

        Assert.True(list.ExitCode == 0, list.ToString());
        Assert.Contains(list.Json.EnumerateArray(), g => g.GetProperty("group").GetString() == group && g.GetProperty("type").GetString() == "consumer");
        Assert.True(described.ExitCode == 0, described.ToString());
        Assert.Equal("consumer", described.Json.GetProperty("type").GetString());
        var member = Assert.Single(described.Json.GetProperty("members").EnumerateArray());
        Assert.Equal("modern-reader", member.GetProperty("clientId").GetString());
        Assert.Equal(2, member.GetProperty("assignments").GetArrayLength());
        Assert.Equal(2, member.GetProperty("targetAssignment").GetArrayLength());
        Assert.Equal(1, reset.ExitCode);
        Assert.Contains("is active", reset.Error, StringComparison.Ordinal);
        consumer.Close();
    }
}
