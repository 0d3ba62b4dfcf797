using System.Text;
using Confluent.Kafka;
using Microsoft.Extensions.Logging.Abstractions;
using Streamiz.Kafka.Net;
using Streams.Messaging.Consuming;
using Streams.Worker.Processing;

namespace Streams.IntegrationTests;

/// <summary>Streamiz's exception handlers writing to a real dead-letter topic.</summary>
[Collection(KafkaCollection.Name)]
public sealed class TopologyDeadLettersTests(KafkaFixture kafka)
{
    [Fact]
    public void A_result_the_producer_gave_up_on_is_dead_lettered_with_its_destination_and_the_topology_continues()
    {
        var topic = "dead-letters-" + Guid.NewGuid().ToString("N");
        using var writer = new DeadLetterWriter(new Dictionary<string, string> { ["bootstrap.servers"] = kafka.BootstrapServers }, topic);
        var handlers = new TopologyDeadLetters(writer, "orders-app", NullLogger.Instance);
        var headers = new Headers { { "traceparent", Encoding.UTF8.GetBytes("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01") } };
        var report = new DeliveryReport<byte[], byte[]>
        {
            Topic = "orders",
            Partition = 3,
            Error = new Error(ErrorCode.MsgSizeTooLarge, "Broker: Message size too large"),
            Message = new Message<byte[], byte[]> { Key = Encoding.UTF8.GetBytes("cart-7"), Value = [1, 2, 3], Headers = headers },
        };

        Assert.Equal(ProductionExceptionHandlerResponse.CONTINUE, handlers.OnProductionError(report));

        var letter = ReadOne(topic);
        string Header(string name) => Encoding.UTF8.GetString(letter.Message.Headers.GetLastBytes(name));
        Assert.Equal("cart-7", Encoding.UTF8.GetString(letter.Message.Key));
        Assert.Equal([1, 2, 3], letter.Message.Value);
        Assert.Equal("production-failed", Header(DeadLetterHeaders.Reason));
        Assert.Equal("orders", Header(DeadLetterHeaders.Topic));
        Assert.Equal("3", Header(DeadLetterHeaders.Partition));
        Assert.Equal("-1", Header(DeadLetterHeaders.Offset));
        Assert.Equal("orders-app", Header(DeadLetterHeaders.GroupId));
        Assert.Contains("Message size too large", Header(DeadLetterHeaders.Exception), StringComparison.Ordinal);
        Assert.StartsWith("00-0af7651916cd43dd8448eb211c80319c", Header("traceparent"), StringComparison.Ordinal);
    }

    [Fact]
    public void When_the_dead_letter_cannot_be_written_the_topology_fails_instead_of_dropping_the_record()
    {
        // Nothing listens on port 9: the dead letter is never acknowledged.
        using var writer = new DeadLetterWriter(new Dictionary<string, string> { ["bootstrap.servers"] = "127.0.0.1:9", ["message.timeout.ms"] = "2000" }, "dead-letters");
        var handlers = new TopologyDeadLetters(writer, "orders-app", NullLogger.Instance);
        var record = new ConsumeResult<byte[], byte[]>
        {
            Topic = "cart-events",
            Partition = 1,
            Offset = 42,
            Message = new Message<byte[], byte[]> { Key = Encoding.UTF8.GetBytes("cart-1"), Value = Encoding.UTF8.GetBytes("not avro") },
        };

        Assert.Equal(ExceptionHandlerResponse.FAIL, handlers.OnDeserializationError(null!, record, new InvalidDataException("Unknown magic byte")));
    }

    private ConsumeResult<byte[], byte[]> ReadOne(string topic)
    {
        using var consumer = new ConsumerBuilder<byte[], byte[]>(new ConsumerConfig { BootstrapServers = kafka.BootstrapServers, GroupId = topic }).Build();
        consumer.Assign(new TopicPartitionOffset(topic, 0, Offset.Beginning));
        return consumer.Consume(TimeSpan.FromSeconds(30)) ?? throw new TimeoutException($"nothing in {topic}");
    }
}
