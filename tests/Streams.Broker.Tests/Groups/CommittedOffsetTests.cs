using Confluent.Kafka;
using Streams.Broker.Tests.Support;
using Xunit.Abstractions;

namespace Streams.Broker.Tests.Groups;

/// <summary>Committed offsets live in __consumer_offsets and survive a broker restart.</summary>
public sealed class CommittedOffsetTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const string Topic = "ledger";
    private TestBroker _broker = null!;

    public async Task InitializeAsync()
    {
        _broker = await TestBroker.StartAsync(output);
        await Clients.CreateTopicAsync(_broker.BootstrapServers, Topic, partitions: 1);
    }

    public async Task DisposeAsync() => await _broker.DisposeAsync();

    private IConsumer<string, string> Subscribe() => Clients.Consumer<string, string>(_broker.BootstrapServers, c =>
    {
        c.GroupId = "ledger-readers";
        c.SessionTimeoutMs = 6000;
        c.HeartbeatIntervalMs = 500;
    });

    private static ConsumeResult<string, string> Next(IConsumer<string, string> consumer)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            if (consumer.Consume(TimeSpan.FromMilliseconds(200)) is { IsPartitionEOF: false } result)
            {
                return result;
            }
        }

        throw new TimeoutException("no message within 30 s");
    }

    [Fact]
    public async Task A_consumer_continues_from_its_committed_offset_after_a_broker_restart()
    {
        await GroupTopics.ProduceAsync(_broker.BootstrapServers, Topic, 1, 100);
        using (var consumer = Subscribe())
        {
            consumer.Subscribe(Topic);
            for (var i = 0; i < 40; i++)
            {
                var result = Next(consumer);
                Assert.Equal(i, result.Offset.Value);
                if (i == 39)
                {
                    consumer.Commit(result);
                }
            }

            consumer.Close();
        }

        await _broker.RestartAsync();

        using (var admin = Clients.Admin(_broker.BootstrapServers))
        {
            var offsets = await admin.ListConsumerGroupOffsetsAsync([new ConsumerGroupTopicPartitions("ledger-readers", [new TopicPartition(Topic, 0)])]);
            Assert.Equal(40, offsets[0].Partitions[0].Offset.Value);
        }

        using (var consumer = Subscribe())
        {
            consumer.Subscribe(Topic);
            var first = Next(consumer);
            Assert.Equal(40, first.Offset.Value);
            Assert.Equal("m-40", first.Message.Value);
            consumer.Close();
        }
    }
}
