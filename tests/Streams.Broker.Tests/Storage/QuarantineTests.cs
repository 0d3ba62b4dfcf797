using Confluent.Kafka;
using Streams.Broker.Tests.Support;
using Xunit.Abstractions;

namespace Streams.Broker.Tests.Storage;

/// <summary>Damaged files on disk cost the damaged topic, never the broker's start.</summary>
public sealed class QuarantineTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_broker_with_a_torn_topic_metadata_file_and_a_damaged_producer_id_file_starts_and_serves_the_other_topics()
    {
        await using var broker = await TestBroker.StartAsync(output);
        await Clients.CreateTopicAsync(broker.BootstrapServers, "healthy");
        await Clients.CreateTopicAsync(broker.BootstrapServers, "damaged");
        using (var producer = Clients.Producer<Null, string>(broker.BootstrapServers, c => { c.Acks = Acks.All; c.EnableIdempotence = true; }))
        {
            await producer.ProduceAsync("healthy", new Message<Null, string> { Value = "before" });
            await producer.ProduceAsync("damaged", new Message<Null, string> { Value = "lost to damage" });
        }

        await broker.RestartAsync(directory =>
        {
            File.WriteAllText(Path.Combine(directory, "meta", "topics", "damaged.json"), "{ \"Name\": \"damaged\", \"Id\":");
            File.WriteAllText(Path.Combine(directory, "meta", "producer-id-block"), "not a number");
        });

        using (var admin = Clients.Admin(broker.BootstrapServers))
        {
            var topics = admin.GetMetadata(TimeSpan.FromSeconds(10)).Topics.Select(t => t.Topic).ToList();
            Assert.Contains("healthy", topics);
            Assert.DoesNotContain("damaged", topics);
        }

        using (var producer = Clients.Producer<Null, string>(broker.BootstrapServers, c => { c.Acks = Acks.All; c.EnableIdempotence = true; }))
        {
            var after = await producer.ProduceAsync("healthy", new Message<Null, string> { Value = "after" });
            Assert.Equal(1, after.Offset.Value);
        }

        Assert.Equal(["before", "after"], Clients.ReadAll<Null, string>(broker.BootstrapServers, "healthy", 2).Select(r => r.Message.Value));
        Assert.Single(Directory.GetFiles(Path.Combine(broker.DataDirectory, "meta", "topics"), "damaged.json.*-quarantined"));
        Assert.Single(Directory.GetDirectories(broker.DataDirectory, "damaged-0.*-quarantined"));
        Assert.Single(Directory.GetFiles(Path.Combine(broker.DataDirectory, "meta"), "producer-id-block.*-quarantined"));
    }
}
