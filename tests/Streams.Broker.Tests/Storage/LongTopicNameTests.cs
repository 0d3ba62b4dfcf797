using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Streams.Broker.Tests.Support;
using Xunit.Abstractions;

namespace Streams.Broker.Tests.Storage;

/// <summary>Kafka allows 249-character topic names; every file the broker derives from one must fit the file system.</summary>
public sealed class LongTopicNameTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_249_character_topic_is_created_produced_to_restarted_altered_and_deleted_end_to_end()
    {
        var topic = "t." + new string('x', 243) + "_-Z9";
        Assert.Equal(249, topic.Length);
        await using var broker = await TestBroker.StartAsync(output);
        await Clients.CreateTopicAsync(broker.BootstrapServers, topic, partitions: 11);
        using (var producer = Clients.Producer<string, string>(broker.BootstrapServers, c => c.Acks = Acks.All))
        {
            await producer.ProduceAsync(new TopicPartition(topic, 10), new Message<string, string> { Key = "k", Value = "long" });
        }

        await broker.RestartAsync();
        Assert.Equal("long", Assert.Single(Clients.ReadAll<string, string>(broker.BootstrapServers, topic, 1, partitions: 11)).Message.Value);

        using var admin = Clients.Admin(broker.BootstrapServers);
        var resource = new ConfigResource { Type = ResourceType.Topic, Name = topic };
        await admin.IncrementalAlterConfigsAsync(new Dictionary<ConfigResource, List<ConfigEntry>>
        {
            [resource] = [new ConfigEntry { Name = "retention.ms", Value = "86400000", IncrementalOperation = AlterConfigOpType.Set }],
        });
        Assert.Equal("86400000", (await admin.DescribeConfigsAsync([resource]))[0].Entries["retention.ms"].Value);
        await admin.DeleteTopicsAsync([topic]);
        Assert.DoesNotContain(admin.GetMetadata(TimeSpan.FromSeconds(10)).Topics, t => t.Topic == topic);
        Assert.DoesNotContain(Directory.GetFileSystemEntries(broker.DataDirectory), e => Path.GetFileName(e).StartsWith("t.xxx", StringComparison.Ordinal));
    }
}
