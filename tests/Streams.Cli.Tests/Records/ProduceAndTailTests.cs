using System.Diagnostics;
using System.Text.Json;
using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Confluent.SchemaRegistry;
using Confluent.SchemaRegistry.Serdes;
using Streams.Cli.Tests.Support;
using Streams.Contracts.Logins;
using Streams.Contracts.Topics;
using Streams.Messaging.Diagnostics;
using Streams.Messaging.Serialization;

namespace Streams.Cli.Tests.Records;

[Collection(ClusterCollection.Name)]
public sealed class ProduceAndTailTests(ClusterFixture cluster)
{
    private const string Login = """{"eventId":"e-1","occurredAt":"2026-03-01T08:00:00Z","employeeId":"emp-7","application":"crm","sourceAddress":"10.0.0.1","outcome":"Failed","failureReason":"wrong password"}""";

    private static string NewTopic(string prefix) => $"{prefix}-{Guid.NewGuid().ToString("N")[..8]}";

    private static List<JsonElement> Lines(CliRun run) =>
        [.. run.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement)];

    [Fact]
    public async Task Produced_json_lines_come_back_decoded_from_tail()
    {
        var topic = NewTopic("logins");
        await cluster.CreateTopicAsync(topic, 2);
        var second = Login.Replace("emp-7", "emp-8", StringComparison.Ordinal).Replace("\"Failed\",\"failureReason\":\"wrong password\"", "\"Succeeded\"", StringComparison.Ordinal);

        var produced = await cluster.RunWithInputAsync($"{Login}\n\n{second}\n", "produce", topic, "--type", "EmployeeLoggedIn", "--key-field", "employeeId");
        var tailed = await cluster.RunAsync("tail", topic, "-o", "json");

        Assert.True(produced.ExitCode == 0, produced.ToString());
        Assert.True(tailed.ExitCode == 0, tailed.ToString());
        var records = Lines(tailed).OrderBy(r => r.GetProperty("key").GetString()).ToList();
        Assert.Equal(["emp-7", "emp-8"], records.Select(r => r.GetProperty("key").GetString()));
        var first = records[0];
        Assert.Equal("Streams.Contracts.Logins.EmployeeLoggedIn", first.GetProperty("schema").GetString());
        Assert.Equal("Streams.Contracts.Logins.EmployeeLoggedIn", first.GetProperty("headers").GetProperty("event-type").GetString());
        Assert.Equal("2026-03-01T08:00:00Z", first.GetProperty("value").GetProperty("occurredAt").GetString());
        Assert.Equal("Failed", first.GetProperty("value").GetProperty("outcome").GetString());
        Assert.Equal("wrong password", first.GetProperty("value").GetProperty("failureReason").GetString());
        Assert.Equal(JsonValueKind.Null, records[1].GetProperty("value").GetProperty("failureReason").ValueKind);
        Assert.True(first.TryGetProperty("offset", out _) && first.TryGetProperty("partition", out _) && first.TryGetProperty("timestamp", out _));
    }

    [Fact]
    public async Task Tail_decodes_the_application_serializer_and_shows_the_trace_id()
    {
        var topic = NewTopic("traced");
        await cluster.CreateTopicAsync(topic, 1);
        using var registry = new CachedSchemaRegistryClient(new SchemaRegistryConfig { Url = cluster.RegistryUrl });
        using var producer = new ProducerBuilder<string, EmployeeLoggedIn>(new ProducerConfig { BootstrapServers = cluster.Bootstrap })
            .SetValueSerializer(new AvroSerializer<EmployeeLoggedIn>(registry, SubjectNaming.Topic.ToSerializerConfig()))
            .Build();
        using var activity = new Activity("publish").SetIdFormat(ActivityIdFormat.W3C).Start();
        var headers = new Headers();
        TraceHeaders.Inject(activity, headers);
        await producer.ProduceAsync(topic, new Message<string, EmployeeLoggedIn>
        {
            Key = "emp-1",
            Value = new EmployeeLoggedIn { eventId = "e", occurredAt = DateTime.UtcNow, employeeId = "emp-1", application = "payroll", sourceAddress = "10.1.2.3", outcome = LoginOutcome.Succeeded },
            Headers = headers,
        });

        var json = await cluster.RunAsync("tail", topic, "-o", "json");
        var table = await cluster.RunAsync("tail", topic);

        var record = Assert.Single(Lines(json));
        Assert.Equal(activity.TraceId.ToHexString(), record.GetProperty("traceId").GetString());
        Assert.Equal("payroll", record.GetProperty("value").GetProperty("application").GetString());
        Assert.Contains($"trace={activity.TraceId.ToHexString()}", table.Output, StringComparison.Ordinal);
        Assert.Contains($"{topic}/0@0", table.Output, StringComparison.Ordinal);
        Assert.Contains("\"application\":\"payroll\"", table.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Tail_starts_at_an_offset_or_a_time_and_stops_after_max_messages()
    {
        var topic = NewTopic("window");
        await cluster.CreateTopicAsync(topic, 1);
        var first = DateTimeOffset.UtcNow.AddHours(-10);
        await cluster.ProduceAsync(topic, 1, 10, first);

        var fromOffset = await cluster.RunAsync("tail", topic, "--from", "7", "-o", "json");
        var fromTime = await cluster.RunAsync("tail", topic, "--from", first.AddHours(8).ToString("O"), "-o", "json");
        var limited = await cluster.RunAsync("tail", topic, "-n", "3", "-o", "json");
        var fromEnd = await cluster.RunAsync("tail", topic, "--from", "end", "-o", "json");

        Assert.Equal([7L, 8L, 9L], Lines(fromOffset).Select(r => r.GetProperty("offset").GetInt64()));
        Assert.Equal(["v8", "v9"], Lines(fromTime).Select(r => r.GetProperty("value").GetString()));
        Assert.Equal([0L, 1L, 2L], Lines(limited).Select(r => r.GetProperty("offset").GetInt64()));
        Assert.Empty(Lines(fromEnd));
    }

    [Fact]
    public async Task Tail_of_an_empty_topic_ends_at_once()
    {
        var topic = NewTopic("empty");
        await cluster.CreateTopicAsync(topic, 3);

        var run = await cluster.RunAsync("tail", topic);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Empty(run.Output);
        Assert.Contains("0 record(s)", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Follow_waits_for_new_records()
    {
        var topic = NewTopic("follow");
        await cluster.CreateTopicAsync(topic, 1);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));

        var tail = cluster.RunWithInputAsync(null, timeout.Token, "tail", topic, "--follow", "-n", "2", "-o", "json");
        await Task.Delay(500);
        await cluster.ProduceAsync(topic, 1, 2, DateTimeOffset.UtcNow);
        var run = await tail;

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal(["v0", "v1"], Lines(run).Select(r => r.GetProperty("value").GetString()));
    }

    [Fact]
    public async Task Unknown_schemas_go_through_the_registered_subject()
    {
        var topic = NewTopic("pings");
        await cluster.CreateTopicAsync(topic, 1);
        using var registry = new CachedSchemaRegistryClient(new SchemaRegistryConfig { Url = cluster.RegistryUrl });
        await registry.RegisterSchemaAsync($"{topic}-value", new Schema(
            """{"type":"record","name":"Ping","namespace":"com.example","fields":[{"name":"n","type":"int"},{"name":"tags","type":{"type":"array","items":"string"}},{"name":"price","type":{"type":"bytes","logicalType":"decimal","precision":9,"scale":2}},{"name":"note","type":["null","string"],"default":null}]}""",
            SchemaType.Avro));

        var produced = await cluster.RunWithInputAsync("""{"n":3,"tags":["a","b"],"price":12.5}""", "produce", topic);
        var tailed = await cluster.RunAsync("tail", topic, "-o", "json");

        Assert.True(produced.ExitCode == 0, produced.ToString());
        var value = Assert.Single(Lines(tailed)).GetProperty("value");
        Assert.Equal(3, value.GetProperty("n").GetInt32());
        Assert.Equal(["a", "b"], value.GetProperty("tags").EnumerateArray().Select(t => t.GetString()));
        Assert.Equal(12.50m, value.GetProperty("price").GetDecimal());
        Assert.Equal(JsonValueKind.Null, value.GetProperty("note").ValueKind);
    }

    [Theory]
    [InlineData("\"outcome\":\"Failed\"", "\"outcome\":\"Maybe\"", "$.outcome", "not one of")]
    [InlineData("\"employeeId\":\"emp-7\"", "\"employeeId\":7", "$.employeeId", "expected a string")]
    [InlineData("\"application\":\"crm\",", "", "$.application", "missing")]
    [InlineData("\"eventId\"", "\"surprise\":1,\"eventId\"", "$.surprise", "no such field")]
    [InlineData("\"occurredAt\":\"2026-03-01T08:00:00Z\"", "\"occurredAt\":\"yesterday\"", "$.occurredAt", "ISO 8601")]
    public async Task Produce_rejects_json_that_does_not_match_naming_the_field(string replace, string with, string field, string reason)
    {
        var topic = NewTopic("strict");
        await cluster.CreateTopicAsync(topic, 1);
        var bad = Login.Replace(replace, with, StringComparison.Ordinal);

        var run = await cluster.RunWithInputAsync($"{Login}\n{bad}\n", "produce", topic, "--type", "EmployeeLoggedIn");

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("line 2", run.Error, StringComparison.Ordinal);
        Assert.Contains(field, run.Error, StringComparison.Ordinal);
        Assert.Contains(reason, run.Error, StringComparison.Ordinal);
        var end = await cluster.Admin.ListOffsetsAsync([new TopicPartitionOffsetSpec { TopicPartition = new TopicPartition(topic, 0), OffsetSpec = OffsetSpec.Latest() }]);
        Assert.Equal(0, end.ResultInfos[0].TopicPartitionOffsetError.Offset.Value);
    }

    [Fact]
    public async Task Produce_needs_a_type_on_a_topic_carrying_several()
    {
        var run = await cluster.RunWithInputAsync(Login, "produce", "cart-events");

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("--type", run.Error, StringComparison.Ordinal);
    }
}
