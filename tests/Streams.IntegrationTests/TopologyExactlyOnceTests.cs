using System.Globalization;
using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Streamiz.Kafka.Net;
using Streamiz.Kafka.Net.SerDes;

namespace Streams.IntegrationTests;

/// <summary>A Streamiz topology with EXACTLY_ONCE (transactions, KIP-447 offsets) across a stop and a restart.</summary>
[Collection(KafkaCollection.Name)]
public sealed class TopologyExactlyOnceTests(KafkaFixture kafka)
{
    [Fact]
    public async Task An_exactly_once_topology_writes_one_output_per_input_across_a_restart()
    {
        var suffix = Guid.NewGuid().ToString("N");
        var input = "eos-in-" + suffix;
        var output = "eos-out-" + suffix;
        using (var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = kafka.BootstrapServers }).Build())
        {
            await admin.CreateTopicsAsync([new TopicSpecification { Name = input, NumPartitions = 2, ReplicationFactor = 1 }, new TopicSpecification { Name = output, NumPartitions = 1, ReplicationFactor = 1 }]);
        }

        await ProduceAsync(input, 0, 40);
        await RunUntilAsync("eos-app-" + suffix, input, output, expected: 40);
        await ProduceAsync(input, 40, 40);
        await RunUntilAsync("eos-app-" + suffix, input, output, expected: 80);

        var perInput = ReadCommitted(output, 80).GroupBy(v => v).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(80, perInput.Count);
        Assert.DoesNotContain(perInput, p => p.Value != 1);
    }

    private async Task ProduceAsync(string topic, int from, int count)
    {
        using var producer = new ProducerBuilder<string, string>(new ProducerConfig { BootstrapServers = kafka.BootstrapServers }).Build();
        for (var i = from; i < from + count; i++)
        {
            var id = i.ToString(CultureInfo.InvariantCulture);
            await producer.ProduceAsync(topic, new Message<string, string> { Key = id, Value = id });
        }
    }

    /// <summary>Runs the topology until the output holds <paramref name="expected"/> committed records, then stops it.</summary>
    private async Task RunUntilAsync(string applicationId, string input, string output, int expected)
    {
        var config = new StreamConfig<StringSerDes, StringSerDes>
        {
            ApplicationId = applicationId,
            BootstrapServers = kafka.BootstrapServers,
            AutoOffsetReset = AutoOffsetReset.Earliest,
            Guarantee = ProcessingGuarantee.EXACTLY_ONCE,
            CommitIntervalMs = 200,
            StateDir = Path.Combine(Path.GetTempPath(), "eos-state-" + applicationId),
        };
        var builder = new StreamBuilder();
        builder.Stream<string, string>(input).MapValues((v, _) => "out-" + v).To(output);
        using var stream = new KafkaStream(builder.Build(), config);
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await stream.StartAsync(cancel.Token);
        await Eventually.TrueAsync(() => CountCommitted(output) >= expected, $"{expected} committed outputs", TimeSpan.FromSeconds(60));
    }

    private long CountCommitted(string topic) => ReadCommitted(topic, int.MaxValue).Count;

    private List<string> ReadCommitted(string topic, int max)
    {
        using var consumer = new ConsumerBuilder<string, string>(new ConsumerConfig
        {
            BootstrapServers = kafka.BootstrapServers,
            GroupId = "eos-check-" + Guid.NewGuid().ToString("N"),
            IsolationLevel = IsolationLevel.ReadCommitted,
            EnablePartitionEof = true,
            AutoOffsetReset = AutoOffsetReset.Earliest,
        }).Build();
        consumer.Assign(new TopicPartitionOffset(topic, 0, Offset.Beginning));
        var values = new List<string>();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (values.Count < max && DateTime.UtcNow < deadline)
        {
            var result = consumer.Consume(TimeSpan.FromMilliseconds(200));
            if (result is null)
            {
                continue;
            }

            if (result.IsPartitionEOF)
            {
                break;
            }

            values.Add(result.Message.Value);
        }

        return values;
    }
}
