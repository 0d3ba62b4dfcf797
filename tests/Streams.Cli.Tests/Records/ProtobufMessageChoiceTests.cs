using System.Diagnostics;
using System.Text.Json;
using Confluent.Kafka;
using Confluent.SchemaRegistry;
using Streams.Cli.Tests.Support;

namespace Streams.Cli.Tests.Records;

/// <summary>
/// <c>streams produce</c> choosing the Protobuf message (<c>--message</c>, the file's first by default) with the
/// message indexes Confluent's serializers write, checked against Confluent's JavaScript serdes both ways
/// (<c>@confluentinc/schemaregistry</c>, installed in tests/Streams.Registry.Tests/Protobuf/js by .ci/run); and JSON
/// Schema validation in produce following <c>$ref</c> to another subject.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class ProtobufMessageChoiceTests(ClusterFixture cluster)
{
    private const string ShopProto = """
        syntax = "proto3";
        package shop;
        message Order {
          string id = 1;
          Line line = 2;
          message Line {
            string sku = 1;
            int64 quantity = 2;
          }
        }
        message Refund {
          string id = 1;
          int64 amount = 2;
        }
        """;

    private const string Order = """{"id":"o-1","line":{"sku":"A-1","quantity":"2"}}""";
    private const string Line = """{"sku":"B-7","quantity":"9007199254740993"}""";
    private const string Refund = """{"id":"r-1","amount":"-40"}""";

    [Fact]
    public async Task Produce_writes_the_named_message_with_its_message_indexes()
    {
        var topic = await ShopTopicAsync("choice");

        var first = await cluster.RunWithInputAsync(Order + "\n", "produce", topic, "-o", "json");
        var refund = await cluster.RunWithInputAsync(Refund + "\n", "produce", topic, "--message", "shop.Refund", "-o", "json");
        var line = await cluster.RunWithInputAsync(Line + "\n", "produce", topic, "--message", ".shop.Order.Line", "-o", "json");
        var unknown = await cluster.RunWithInputAsync(Refund + "\n", "produce", topic, "--message", "shop.Missing");
        var wrongFields = await cluster.RunWithInputAsync(Order + "\n", "produce", topic, "--message", "shop.Refund");

        Assert.True(first.ExitCode == 0, first.ToString());
        Assert.True(refund.ExitCode == 0, refund.ToString());
        Assert.True(line.ExitCode == 0, line.ToString());
        Assert.Equal(("shop.Order", "shop.Refund", "shop.Order.Line"),
            (first.Json.GetProperty("schema").GetString(), refund.Json.GetProperty("schema").GetString(), line.Json.GetProperty("schema").GetString()));
        Assert.Equal(2, unknown.ExitCode);
        Assert.Contains("shop.Order.Line", unknown.Error, StringComparison.Ordinal);
        Assert.Equal(1, wrongFields.ExitCode);
        Assert.Contains("$.line", wrongFields.Error, StringComparison.Ordinal);

        // After magic byte and id: [0] as one 0 byte; [1] as count 1, index 1; [0, 0] as count 2, 0, 0 (zigzag varints).
        var values = Consume(topic, 3);
        Assert.Equal(("00", "0202", "040000"), (Hex(values[0][5..6]), Hex(values[1][5..7]), Hex(values[2][5..8])));

        var tailed = await cluster.RunAsync("tail", topic, "-o", "json");
        Assert.True(tailed.ExitCode == 0, tailed.ToString());
        var records = tailed.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(
            [("shop.Order", Order), ("shop.Refund", Refund), ("shop.Order.Line", Line)],
            records.Select(r => (r.GetProperty("schema").GetString(), r.GetProperty("value").GetRawText())).ToList());
    }

    [SkippableFact]
    public async Task Confluents_javascript_serdes_read_what_produce_writes_and_tail_reads_what_they_write()
    {
        var folder = ScriptFolder();
        Skip.If(folder is null, "Confluent's JS client is not installed: run `npm ci` in tests/Streams.Registry.Tests/Protobuf/js (.ci/run does)");
        Skip.If(!(Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator).Any(p => File.Exists(Path.Combine(p, "node"))), "node is not installed");
        var topic = await ShopTopicAsync("js");

        foreach (var (json, message) in new[] { (Order, "shop.Order"), (Refund, "shop.Refund"), (Line, "shop.Order.Line") })
        {
            var produced = await cluster.RunWithInputAsync(json + "\n", "produce", topic, "--message", message);
            Assert.True(produced.ExitCode == 0, produced.ToString());
        }

        var decoded = await NodeAsync(folder!, topic, "decode", [.. Consume(topic, 3).Select(Hex)]);
        Assert.Equal(
            [("shop.Order", Order), ("shop.Refund", Refund), ("shop.Order.Line", Line)],
            decoded.Select(l => JsonDocument.Parse(l).RootElement).Select(r => (r.GetProperty("type").GetString(), r.GetProperty("value").GetRawText())).ToList());

        // The other way: the JS serializer writes a non-first and a nested message; tail decodes them.
        var refundHex = Assert.Single(await NodeAsync(folder!, topic, "encode", ["shop.Refund", Refund]));
        var lineHex = Assert.Single(await NodeAsync(folder!, topic, "encode", ["shop.Order.Line", Line]));
        using (var producer = new ProducerBuilder<Null, byte[]>(new ProducerConfig { BootstrapServers = cluster.Bootstrap }).Build())
        {
            await producer.ProduceAsync(topic, new Message<Null, byte[]> { Value = Convert.FromHexString(refundHex) });
            await producer.ProduceAsync(topic, new Message<Null, byte[]> { Value = Convert.FromHexString(lineHex) });
        }

        var tailed = await cluster.RunAsync("tail", topic, "-o", "json");
        Assert.True(tailed.ExitCode == 0, tailed.ToString());
        var records = tailed.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(
            [("shop.Refund", Refund), ("shop.Order.Line", Line)],
            records.Skip(3).Select(r => (r.GetProperty("schema").GetString(), r.GetProperty("value").GetRawText())).ToList());
    }

    [Fact]
    public async Task Json_schema_validation_in_produce_follows_refs_to_other_subjects()
    {
        var topic = $"jsonref-{Guid.NewGuid().ToString("N")[..8]}";
        await cluster.CreateTopicAsync(topic, 1);
        using var registry = new CachedSchemaRegistryClient(new SchemaRegistryConfig { Url = cluster.RegistryUrl });
        var addressSubject = $"{topic}-address";
        await registry.RegisterSchemaAsync(addressSubject, new Schema(
            """{"type":"object","properties":{"city":{"type":"string"},"zip":{"type":"string","pattern":"^[0-9]{5}$"}},"required":["city"]}""", SchemaType.Json));
        await registry.RegisterSchemaAsync($"{topic}-value", new Schema(
            """{"title":"Customer","type":"object","properties":{"name":{"type":"string"},"address":{"$ref":"address.json"}},"required":["name"]}""",
            [new SchemaReference("address.json", addressSubject, 1)], SchemaType.Json));

        var good = await cluster.RunWithInputAsync("""{"name":"Ada","address":{"city":"Paris","zip":"75001"}}""" + "\n", "produce", topic, "-o", "json");
        var badZip = await cluster.RunWithInputAsync("""{"name":"Ada","address":{"city":"Paris","zip":"7500"}}""" + "\n", "produce", topic);

        Assert.True(good.ExitCode == 0, good.ToString());
        Assert.Equal("Customer", good.Json.GetProperty("schema").GetString());
        Assert.Equal(1, badZip.ExitCode);
        Assert.Contains("$.address.zip", badZip.Error, StringComparison.Ordinal);
    }

    private async Task<string> ShopTopicAsync(string prefix)
    {
        var topic = $"{prefix}-{Guid.NewGuid().ToString("N")[..8]}";
        await cluster.CreateTopicAsync(topic, 1);
        using var registry = new CachedSchemaRegistryClient(new SchemaRegistryConfig { Url = cluster.RegistryUrl });
        await registry.RegisterSchemaAsync($"{topic}-value", new Schema(ShopProto, SchemaType.Protobuf));
        return topic;
    }

    private List<byte[]> Consume(string topic, int count)
    {
        using var consumer = new ConsumerBuilder<Ignore, byte[]>(new ConsumerConfig
        {
            BootstrapServers = cluster.Bootstrap,
            GroupId = $"raw-{Guid.NewGuid():N}",
            AutoOffsetReset = AutoOffsetReset.Earliest,
            EnableAutoCommit = false,
        }).Build();
        consumer.Subscribe(topic);
        var values = new List<byte[]>();
        var deadline = DateTime.UtcNow.AddMinutes(1);
        while (values.Count < count && DateTime.UtcNow < deadline)
        {
            if (consumer.Consume(TimeSpan.FromSeconds(1)) is { Message: { } message })
            {
                values.Add(message.Value);
            }
        }

        consumer.Close();
        Assert.Equal(count, values.Count);
        return values;
    }

    private static string Hex(byte[] bytes) => Convert.ToHexString(bytes).ToLowerInvariant();

    private async Task<List<string>> NodeAsync(string folder, string topic, string mode, string[] arguments)
    {
        var start = new ProcessStartInfo("node") { WorkingDirectory = folder, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in (string[])["crosscheck.js", cluster.RegistryUrl, topic, mode, .. arguments])
        {
            start.ArgumentList.Add(argument);
        }

        using var node = Process.Start(start)!;
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var output = node.StandardOutput.ReadToEndAsync(timeout.Token);
        var errors = node.StandardError.ReadToEndAsync(timeout.Token);
        await node.WaitForExitAsync(timeout.Token);
        Assert.True(node.ExitCode == 0, $"node crosscheck.js {mode} failed: {await errors}");
        return [.. (await output).Split('\n', StringSplitOptions.RemoveEmptyEntries)];
    }

    private static string? ScriptFolder()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var folder = Path.Combine(dir.FullName, "tests", "Streams.Registry.Tests", "Protobuf", "js");
            if (File.Exists(Path.Combine(folder, "crosscheck.js")))
            {
                return Directory.Exists(Path.Combine(folder, "node_modules", "@confluentinc", "schemaregistry")) ? folder : null;
            }
        }

        return null;
    }
}
