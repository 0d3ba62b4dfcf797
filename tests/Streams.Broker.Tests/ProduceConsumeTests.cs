using System.Text;
using Confluent.Kafka;
using Streams.Broker.Tests.Support;
using Xunit.Abstractions;

namespace Streams.Broker.Tests;

public sealed class ProduceConsumeTests(ITestOutputHelper output) : IAsyncLifetime
{
    private TestBroker _broker = null!;

    public async Task InitializeAsync() => _broker = await TestBroker.StartAsync(output);

    public async Task DisposeAsync() => await _broker.DisposeAsync();

    [Theory]
    [InlineData(CompressionType.None)]
    [InlineData(CompressionType.Gzip)]
    [InlineData(CompressionType.Snappy)]
    [InlineData(CompressionType.Lz4)]
    [InlineData(CompressionType.Zstd)]
    public async Task Keys_values_headers_and_timestamps_round_trip_with_every_codec(CompressionType codec)
    {
        var topic = $"codec-{codec}".ToLowerInvariant();
        await Clients.CreateTopicAsync(_broker.BootstrapServers, topic);
        var start = new DateTime(2024, 3, 1, 12, 0, 0, DateTimeKind.Utc);
        using (var producer = Clients.Producer<string?, string?>(_broker.BootstrapServers, c => { c.CompressionType = codec; c.LingerMs = 20; }))
        {
            for (var i = 0; i < 300; i++)
            {
                producer.Produce(topic, new Message<string?, string?>
                {
                    Key = i % 10 == 0 ? null : $"key-{i}",
                    Value = i % 7 == 0 ? null : new string('v', i % 50) + i,
                    Timestamp = new Timestamp(start.AddSeconds(i)),
                    Headers = [new Header("index", Encoding.UTF8.GetBytes(i.ToString())), new Header("empty", null)],
                });
            }

            Assert.Equal(0, producer.Flush(TimeSpan.FromSeconds(30)));
        }

        var read = Clients.ReadAll<string?, string?>(_broker.BootstrapServers, topic, 300);

        Assert.Equal(300, read.Count);
        for (var i = 0; i < 300; i++)
        {
            var message = read[i];
            Assert.Equal(i, message.Offset.Value);
            Assert.Equal(i % 10 == 0 ? null : $"key-{i}", message.Message.Key);
            Assert.Equal(i % 7 == 0 ? null : new string('v', i % 50) + i, message.Message.Value);
            Assert.Equal(start.AddSeconds(i), message.Message.Timestamp.UtcDateTime);
            Assert.Equal(TimestampType.CreateTime, message.Message.Timestamp.Type);
            Assert.Equal(i.ToString(), Encoding.UTF8.GetString(message.Message.Headers.GetLastBytes("index")));
            Assert.Null(message.Message.Headers.GetLastBytes("empty"));
        }
    }

    [Fact]
    public async Task Default_partitioner_spreads_keys_over_partitions_and_keeps_each_key_in_one()
    {
        const string topic = "many-partitions";
        await Clients.CreateTopicAsync(_broker.BootstrapServers, topic, partitions: 12);
        using (var producer = Clients.Producer<string, int>(_broker.BootstrapServers))
        {
            for (var i = 0; i < 2000; i++)
            {
                producer.Produce(topic, new Message<string, int> { Key = $"customer-{i % 97}", Value = i });
            }

            Assert.Equal(0, producer.Flush(TimeSpan.FromSeconds(30)));
        }

        var read = Clients.ReadAll<string, int>(_broker.BootstrapServers, topic, 2000, partitions: 12);

        Assert.Equal(2000, read.Count);
        Assert.Equal(Enumerable.Range(0, 2000), read.Select(r => r.Message.Value).Order());
        Assert.All(read.GroupBy(r => r.Message.Key), g => Assert.Single(g.Select(r => r.Partition.Value).Distinct()));
        Assert.True(read.Select(r => r.Partition.Value).Distinct().Count() >= 10, "keys should land on most of the 12 partitions");
        foreach (var partition in read.GroupBy(r => r.Partition.Value))
        {
            var values = partition.Where(r => r.Message.Key == partition.First().Message.Key).Select(r => r.Message.Value).ToList();
            Assert.Equal(values.Order(), values);
        }
    }

    [Fact]
    public async Task LogAppendTime_topics_are_stamped_by_the_broker()
    {
        const string topic = "append-time";
        await Clients.CreateTopicAsync(_broker.BootstrapServers, topic, configs: new() { ["message.timestamp.type"] = "LogAppendTime" });
        var before = DateTime.UtcNow.AddSeconds(-1);
        using (var producer = Clients.Producer<Null, string>(_broker.BootstrapServers))
        {
            var report = await producer.ProduceAsync(topic, new Message<Null, string> { Value = "x", Timestamp = new Timestamp(new DateTime(2001, 1, 1, 0, 0, 0, DateTimeKind.Utc)) });
            Assert.Equal(TimestampType.LogAppendTime, report.Timestamp.Type);
        }

        var read = Assert.Single(Clients.ReadAll<Null, string>(_broker.BootstrapServers, topic, 1));
        Assert.Equal(TimestampType.LogAppendTime, read.Message.Timestamp.Type);
        Assert.InRange(read.Message.Timestamp.UtcDateTime, before, DateTime.UtcNow.AddSeconds(1));
    }

    [Fact]
    public async Task Acks_zero_one_and_all_all_deliver()
    {
        const string topic = "acks";
        await Clients.CreateTopicAsync(_broker.BootstrapServers, topic);
        foreach (var acks in new[] { Acks.None, Acks.Leader, Acks.All })
        {
            using var producer = Clients.Producer<Null, string>(_broker.BootstrapServers, c => c.Acks = acks);
            for (var i = 0; i < 10; i++)
            {
                producer.Produce(topic, new Message<Null, string> { Value = $"{acks}-{i}" });
            }

            Assert.Equal(0, producer.Flush(TimeSpan.FromSeconds(10)));
        }

        var read = Clients.ReadAll<Null, string>(_broker.BootstrapServers, topic, 30);
        Assert.Equal(30, read.Count);
    }

    [Fact]
    public async Task Producing_auto_creates_topics_with_the_broker_default_partition_count()
    {
        using (var producer = Clients.Producer<Null, string>(_broker.BootstrapServers))
        {
            await producer.ProduceAsync("auto-created", new Message<Null, string> { Value = "hello" });
        }

        using var admin = Clients.Admin(_broker.BootstrapServers);
        var metadata = admin.GetMetadata("auto-created", TimeSpan.FromSeconds(5));
        Assert.Single(metadata.Topics[0].Partitions);
    }

    [Fact]
    public async Task Consumers_do_not_auto_create_topics()
    {
        using var consumer = Clients.Consumer<Null, string>(_broker.BootstrapServers, c => c.AllowAutoCreateTopics = false);
        consumer.Assign(new TopicPartitionOffset("not-there", 0, Offset.Beginning));
        consumer.Consume(TimeSpan.FromSeconds(1));
        consumer.Close();

        using var admin = Clients.Admin(_broker.BootstrapServers);
        var metadata = admin.GetMetadata(TimeSpan.FromSeconds(5));
        Assert.DoesNotContain(metadata.Topics, t => t.Topic == "not-there");
    }

    [Fact]
    public async Task Broker_with_auto_create_disabled_refuses_unknown_topics()
    {
        await using var strict = await TestBroker.StartAsync(output, new Dictionary<string, string> { ["auto.create.topics.enable"] = "false" });
        using var producer = Clients.Producer<Null, string>(strict.BootstrapServers, c => c.MessageTimeoutMs = 2000);

        var ex = await Assert.ThrowsAsync<ProduceException<Null, string>>(() => producer.ProduceAsync("nope", new Message<Null, string> { Value = "x" }));

        Assert.Contains(ex.Error.Code, new[] { ErrorCode.UnknownTopicOrPart, ErrorCode.Local_UnknownTopic, ErrorCode.Local_MsgTimedOut });
        using var admin = Clients.Admin(strict.BootstrapServers);
        Assert.DoesNotContain(admin.GetMetadata(TimeSpan.FromSeconds(5)).Topics, t => t.Topic == "nope");
    }
}
