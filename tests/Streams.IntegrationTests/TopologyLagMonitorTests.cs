using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Confluent.SchemaRegistry;
using Microsoft.Extensions.Logging.Abstractions;
using Streams.Messaging.Diagnostics;
using Streams.Worker;
using Streams.Worker.Infrastructure;
using Streams.Worker.Observability;

namespace Streams.IntegrationTests;

[Collection(KafkaCollection.Name)]
public sealed class TopologyLagMonitorTests(KafkaFixture kafka)
{
    [Fact]
    public async Task The_topology_lag_is_each_partition_end_minus_the_application_committed_offset()
    {
        var topic = "lag-" + Guid.NewGuid().ToString("N");
        var application = "lag-app-" + Guid.NewGuid().ToString("N");
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = kafka.BootstrapServers }).Build();
        await admin.CreateTopicsAsync([new TopicSpecification { Name = topic, NumPartitions = 2 }]);
        using (var producer = new ProducerBuilder<Null, string>(new ProducerConfig { BootstrapServers = kafka.BootstrapServers }).Build())
        {
            for (var i = 0; i < 10; i++)
            {
                await producer.ProduceAsync(new TopicPartition(topic, 0), new Message<Null, string> { Value = $"r{i}" });
                await producer.ProduceAsync(new TopicPartition(topic, 1), new Message<Null, string> { Value = $"r{i}" });
            }
        }

        await admin.AlterConsumerGroupOffsetsAsync([new ConsumerGroupTopicPartitionOffsets(application, [new TopicPartitionOffset(topic, 0, 4), new TopicPartitionOffset(topic, 1, 10)])]);
        var endpoints = new StreamsEndpoints(new ClientConfig { BootstrapServers = kafka.BootstrapServers }, new SchemaRegistryConfig(), Embedded: false);
        using var kafkaAdmin = new KafkaAdmin(endpoints);

        await new TopologyLagMonitor(new StreamsOptions { ApplicationId = application }, kafkaAdmin, NullLogger<TopologyLagMonitor>.Instance).MeasureAsync();

        Assert.Equal(6, MessagingTelemetry.CurrentLags[(application, topic, 0)]);
        Assert.Equal(0, MessagingTelemetry.CurrentLags[(application, topic, 1)]);
    }
}
