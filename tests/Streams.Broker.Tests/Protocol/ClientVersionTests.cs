using System.Collections.Concurrent;
using Confluent.Kafka;
using Streams.Broker.Tests.Support;
using Xunit.Abstractions;

namespace Streams.Broker.Tests.Protocol;

/// <summary>
/// librdkafka (Confluent.Kafka 2.16) on the newest versions it knows: Produce v10 and Fetch v16 by topic id, read from
/// its own protocol debug log ("Sent ProduceRequest (v10, ..."), and KIP-467 refusals surfacing as its error codes.
/// </summary>
public sealed class ClientVersionTests(ITestOutputHelper output) : IAsyncLifetime
{
    private TestBroker _broker = null!;

    public async Task InitializeAsync() => _broker = await TestBroker.StartAsync(output);

    public Task DisposeAsync() => _broker.DisposeAsync().AsTask();

    [Fact]
    public async Task Librdkafka_produces_with_v10_and_fetches_by_topic_id_with_v16()
    {
        const string topic = "client-versions";
        await Clients.CreateTopicAsync(_broker.BootstrapServers, topic);
        var sent = new ConcurrentQueue<string>();

        using (var producer = new ProducerBuilder<string, string>(new ProducerConfig { BootstrapServers = _broker.BootstrapServers, Debug = "protocol", LingerMs = 1 })
            .SetLogHandler((_, m) => sent.Enqueue(m.Message)).Build())
        {
            for (var i = 0; i < 5; i++)
            {
                await producer.ProduceAsync(topic, new Message<string, string> { Key = $"k{i}", Value = $"v{i}" });
            }
        }

        var values = new List<string>();
        using (var consumer = new ConsumerBuilder<string, string>(new ConsumerConfig
               {
                   BootstrapServers = _broker.BootstrapServers,
                   GroupId = "client-versions",
                   AutoOffsetReset = AutoOffsetReset.Earliest,
                   EnableAutoCommit = false,
                   Debug = "protocol",
               }).SetLogHandler((_, m) => sent.Enqueue(m.Message)).Build())
        {
            consumer.Assign(new TopicPartitionOffset(topic, 0, Offset.Beginning));
            var deadline = DateTime.UtcNow.AddSeconds(30);
            while (values.Count < 5 && DateTime.UtcNow < deadline)
            {
                if (consumer.Consume(TimeSpan.FromMilliseconds(200)) is { IsPartitionEOF: false } result)
                {
                    values.Add(result.Message.Value);
                }
            }
        }

        Assert.Equal(["v0", "v1", "v2", "v3", "v4"], values);
        Assert.Contains(sent, m => m.Contains("Sent ProduceRequest (v10,", StringComparison.Ordinal));

        // v13+ only when Metadata gave the topic an id: librdkafka falls back to v12 otherwise.
        Assert.Contains(sent, m => m.Contains("Sent FetchRequest (v16,", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_null_key_on_a_compacted_topic_and_a_stale_timestamp_fail_the_produce_with_their_codes()
    {
        await Clients.CreateTopicAsync(_broker.BootstrapServers, "client-compacted", configs: new() { ["cleanup.policy"] = "compact" });
        await Clients.CreateTopicAsync(_broker.BootstrapServers, "client-recent", configs: new() { ["message.timestamp.before.max.ms"] = "60000" });
        using var producer = Clients.Producer<string?, string>(_broker.BootstrapServers, c => c.MessageTimeoutMs = 10_000);

        var noKey = await Assert.ThrowsAsync<ProduceException<string?, string>>(() =>
            producer.ProduceAsync("client-compacted", new Message<string?, string> { Key = null, Value = "v" }));
        var stale = await Assert.ThrowsAsync<ProduceException<string?, string>>(() =>
            producer.ProduceAsync("client-recent", new Message<string?, string> { Key = "k", Value = "v", Timestamp = new Timestamp(DateTime.UtcNow.AddHours(-2)) }));
        var fine = await producer.ProduceAsync("client-recent", new Message<string?, string> { Key = "k", Value = "v" });

        Assert.Equal(ErrorCode.InvalidRecord, noKey.Error.Code);
        Assert.Equal(ErrorCode.InvalidTimestamp, stale.Error.Code);
        Assert.Equal(PersistenceStatus.Persisted, fine.Status);
    }
}
