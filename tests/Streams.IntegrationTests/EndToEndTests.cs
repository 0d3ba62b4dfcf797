using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using Confluent.Kafka;
using Microsoft.Extensions.DependencyInjection;
using Streams.Contracts.Topics;
using Streams.Messaging.Consuming;
using Streams.Messaging.Diagnostics;
using Streams.Consumers;
using static Streams.IntegrationTests.TestEvents;

namespace Streams.IntegrationTests;

[Collection(KafkaCollection.Name)]
public sealed class EndToEndTests(WorkerFixture worker) : IClassFixture<WorkerFixture>
{
    private static readonly ActivitySource TestSource = new("Streams.IntegrationTests");

    [Fact]
    public async Task Checkout_flows_from_the_publisher_through_the_topology_to_the_audit_trail_and_the_sse_stream()
    {
        using var http = new HttpClient { BaseAddress = worker.WorkerUrl, Timeout = Timeout.InfiniteTimeSpan };
        using var stream = await http.GetAsync("/notifications", HttpCompletionOption.ResponseHeadersRead);
        using var sse = new StreamReader(await stream.Content.ReadAsStreamAsync());
        Assert.StartsWith("retry: ", await sse.ReadLineAsync(), StringComparison.Ordinal);
        Assert.Equal(": connected", await sse.ReadLineAsync());
        var cart = NewCart();

        await worker.Publisher.PublishAsync(Added(cart, "book", 2, 12.99m));
        await worker.Publisher.PublishAsync(CheckedOut(cart));

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        string? orderData = null;
        while (orderData is null)
        {
            var line = await sse.ReadLineAsync(timeout.Token);
            if (line == "event: order")
            {
                var data = await sse.ReadLineAsync(timeout.Token);
                orderData = data!.Contains(cart, StringComparison.Ordinal) ? data : null;
            }
        }

        Assert.Contains("\"total\":25.98", orderData, StringComparison.Ordinal);
        var audit = worker.App.Services.GetRequiredService<AuditProjection>();
        await Eventually.TrueAsync(() => audit.Snapshot().Count(r => r.Contains(cart, StringComparison.Ordinal)) >= 5, "the two events, two cart states and the order in the audit trail");
    }

    [Fact]
    public async Task One_trace_follows_a_checkout_from_the_publisher_through_the_topology_to_every_consumer()
    {
        var stopped = new ConcurrentBag<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name is MessagingTelemetry.SourceName or "Streams.IntegrationTests",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = stopped.Add,
        };
        ActivitySource.AddActivityListener(listener);
        var cart = NewCart();

        ActivityTraceId traceId;
        using (var request = TestSource.StartActivity("checkout-request"))
        {
            traceId = request!.TraceId;
            await worker.Publisher.PublishAsync(Added(cart, "lamp", 1, 39.90m));
            await worker.Publisher.PublishAsync(CheckedOut(cart));
        }

        // Both events of the cart are in the trace; the spans of the checkout are told apart by its offset.
        Activity? Span(string name, string? group, object? offset = null) => stopped.FirstOrDefault(a => a.TraceId == traceId && a.DisplayName == name
            && (group is null || (string?)a.GetTagItem("messaging.consumer.group.name") == group)
            && (offset is null || Equals(a.GetTagItem("messaging.kafka.offset"), offset)));

        var send = await Eventually.GetAsync(() => stopped.FirstOrDefault(a => a.TraceId == traceId && a.DisplayName == "send cart-events" && (string?)a.GetTagItem("messaging.message.id") == "checkout-" + cart), "the producer span of the checkout");
        var checkoutOffset = send.GetTagItem("messaging.kafka.offset");
        var audited = await Eventually.GetAsync(() => Span("process cart-events", AuditProjection.GroupId, checkoutOffset), "the audit consumer's span of the checkout");
        var topology = await Eventually.GetAsync(() => Span("process cart-events", worker.Options.ApplicationId, checkoutOffset), "the topology's span of the checkout");
        var notified = await Eventually.GetAsync(() => Span("process orders", Notifier.GroupId), "the notifier's span of the order the topology derived");

        // publish → topology → consumer: the notifier's span is a child of the topology's span of the checkout.
        Assert.Equal(topology.SpanId, notified.ParentSpanId);

        Assert.Equal(ActivityKind.Producer, send.Kind);
        Assert.Equal(ActivityKind.Consumer, notified.Kind);
        foreach (var span in new[] { send, audited, topology, notified })
        {
            Assert.Equal("kafka", span.GetTagItem("messaging.system"));
            Assert.NotNull(span.GetTagItem("messaging.destination.name"));
            Assert.NotNull(span.GetTagItem("messaging.operation.type"));
            Assert.NotNull(span.GetTagItem("messaging.destination.partition.id"));
        }

        Assert.Equal("orders", notified.GetTagItem("messaging.destination.name"));
        Assert.Equal(cart, notified.GetTagItem("messaging.kafka.message.key"));

        // Co-partitioned like Java clients (murmur2 of the key): the cart's order is in the partition of its events.
        Assert.Equal(send.GetTagItem("messaging.destination.partition.id"), notified.GetTagItem("messaging.destination.partition.id"));
    }

    [Fact]
    public async Task The_worker_is_live_and_ready_once_kafka_answers_the_topology_runs_and_every_group_has_partitions()
    {
        using var http = new HttpClient { BaseAddress = worker.WorkerUrl };

        Assert.Equal(System.Net.HttpStatusCode.OK, (await http.GetAsync("/health/live")).StatusCode);
        var deadline = DateTime.UtcNow.AddSeconds(60);
        var ready = await http.GetAsync("/health/ready");
        while (!ready.IsSuccessStatusCode)
        {
            Assert.True(DateTime.UtcNow < deadline, $"not ready: {await ready.Content.ReadAsStringAsync()}");
            await Task.Delay(200);
            ready = await http.GetAsync("/health/ready");
        }

        using var body = System.Text.Json.JsonDocument.Parse(await ready.Content.ReadAsStringAsync());
        var checks = body.RootElement.GetProperty("checks");
        Assert.Equal("healthy", body.RootElement.GetProperty("status").GetString());
        Assert.Equal("healthy", checks.GetProperty("kafka").GetProperty("status").GetString());
        Assert.Equal("RUNNING", checks.GetProperty("topology").GetProperty("data").GetProperty("state").GetString());
        var groups = checks.GetProperty("consumer-groups").GetProperty("data");
        Assert.True(groups.GetProperty(AuditProjection.GroupId).GetBoolean());
        Assert.True(groups.GetProperty(Notifier.GroupId).GetBoolean());
    }

    [Fact]
    public async Task Each_consumer_group_member_of_the_worker_names_its_client()
    {
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = worker.BootstrapServers }).Build();
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            var groups = await admin.DescribeConsumerGroupsAsync([AuditProjection.GroupId, Notifier.GroupId, worker.Options.ApplicationId]);
            var clients = groups.ConsumerGroupDescriptions.ToDictionary(g => g.GroupId, g => g.Members.Select(m => m.ClientId).Distinct().Order(StringComparer.Ordinal).ToList());
            if (clients.Values.All(c => c.Count > 0))
            {
                Assert.Equal(["streams-worker/audit-projection"], clients[AuditProjection.GroupId]);
                Assert.Equal(["streams-worker/notifier"], clients[Notifier.GroupId]);
                // Streamiz names each stream thread's consumer after the configured id (two threads in the tests).
                Assert.All(clients[worker.Options.ApplicationId], id => Assert.StartsWith("streams-worker/topology-StreamThread-", id, StringComparison.Ordinal));
                return;
            }

            Assert.True(DateTime.UtcNow < deadline, "the worker's groups have no members");
            await Task.Delay(200);
        }
    }

    [Fact]
    public async Task Kafka_is_reported_unreachable_when_no_broker_answers()
    {
        using var probe = new Streams.Worker.Infrastructure.KafkaAdmin(new Streams.Worker.Infrastructure.StreamsEndpoints(new ClientConfig { BootstrapServers = "127.0.0.1:9" }, new Confluent.SchemaRegistry.SchemaRegistryConfig(), Embedded: false));

        Assert.False(await probe.ReachableAsync());
    }

    [Fact]
    public async Task A_poison_record_goes_to_the_dead_letter_topic_with_its_reason_and_processing_continues()
    {
        var cart = NewCart();
        using (var raw = new ProducerBuilder<string, byte[]>(new ProducerConfig { BootstrapServers = worker.BootstrapServers }).Build())
        {
            await raw.ProduceAsync(TopicCatalog.CartEvents.Name, new Message<string, byte[]> { Key = cart, Value = Encoding.UTF8.GetBytes("{\"not\":\"avro\"}") });
        }

        var valid = Added(cart, "pen", 1, 1.10m);
        await worker.Publisher.PublishAsync(valid);

        // Every reader of cart-events gives up on it independently: the audit consumer group and the topology.
        using var consumer = new ConsumerBuilder<string, byte[]>(new ConsumerConfig { BootstrapServers = worker.BootstrapServers, GroupId = "dlq-test-" + Guid.NewGuid() }).Build();
        consumer.Assign(new TopicPartitionOffset("dead-letters", 0, Offset.Beginning));
        var byGroup = new Dictionary<string, List<ConsumeResult<string, byte[]>>>(StringComparer.Ordinal);
        static string Header(ConsumeResult<string, byte[]> record, string name) => Encoding.UTF8.GetString(record.Message.Headers.GetLastBytes(name));
        await Eventually.TrueAsync(
            () =>
            {
                while (consumer.Consume(TimeSpan.FromMilliseconds(200)) is { } record)
                {
                    if (record.Message.Key == cart)
                    {
                        var group = Header(record, DeadLetterHeaders.GroupId);
                        byGroup[group] = [.. byGroup.GetValueOrDefault(group) ?? [], record];
                    }
                }

                return byGroup.ContainsKey(AuditProjection.GroupId) && byGroup.ContainsKey(worker.Options.ApplicationId);
            },
            "dead letters from the audit consumer and from the topology");

        foreach (var group in new[] { AuditProjection.GroupId, worker.Options.ApplicationId })
        {
            var deadLetter = Assert.Single(byGroup[group]);
            Assert.Equal("deserialization-failed", Header(deadLetter, DeadLetterHeaders.Reason));
            Assert.Equal(TopicCatalog.CartEvents.Name, Header(deadLetter, DeadLetterHeaders.Topic));
            Assert.Contains("magic byte", Header(deadLetter, DeadLetterHeaders.Exception), StringComparison.Ordinal);
            Assert.Equal("{\"not\":\"avro\"}", Encoding.UTF8.GetString(deadLetter.Message.Value));
        }

        Assert.Equal(Header(byGroup[AuditProjection.GroupId][0], DeadLetterHeaders.Offset), Header(byGroup[worker.Options.ApplicationId][0], DeadLetterHeaders.Offset));

        var audit = worker.App.Services.GetRequiredService<AuditProjection>();
        await Eventually.TrueAsync(() => audit.Snapshot().Any(r => r.StartsWith(valid.eventId, StringComparison.Ordinal)), "the valid event after the poison one in the audit trail");

        // The topology went on too: it derived the cart's state from the valid event after the poison one.
        await Eventually.TrueAsync(() => audit.Snapshot().Any(r => r.Contains("|" + TopicCatalog.CartState.Name + "|", StringComparison.Ordinal) && r.Contains(cart, StringComparison.Ordinal)), "the cart state after the poison record");
    }
}
