using System.Buffers.Binary;
using System.Text.Json;
using Confluent.Kafka;
using Confluent.SchemaRegistry;
using Streams.Cli.Tests.Support;

namespace Streams.Cli.Tests.Records;

/// <summary>
/// <c>streams tail</c> on JSON Schema and Protobuf data in Confluent's wire format: the schema id's type chooses the
/// decoding. The Protobuf bytes are written here field by field from the wire format's rules.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class SchemaFormatsTailTests(ClusterFixture cluster)
{
    private const string OrderProto = """
        syntax = "proto3";
        package shop;
        import "google/protobuf/timestamp.proto";
        message Ignored { string x = 1; }
        message Order {
          string id = 1;
          int64 total = 2;
          repeated int32 sizes = 3;
          Status status = 4;
          map<string, int32> counts = 5;
          Line line = 6;
          google.protobuf.Timestamp placed = 7;
          double ratio = 8;
          message Line { string sku = 1; }
          enum Status { NEW = 0; PAID = 1; }
        }
        """;

    [Fact]
    public async Task Tail_decodes_protobuf_with_its_message_indexes_and_json_schema_data()
    {
        var topic = $"formats-{Guid.NewGuid().ToString("N")[..8]}";
        await cluster.CreateTopicAsync(topic, 1);
        using var registry = new CachedSchemaRegistryClient(new SchemaRegistryConfig { Url = cluster.RegistryUrl });
        var protoId = await registry.RegisterSchemaAsync($"{topic}-value", new Schema(OrderProto, SchemaType.Protobuf));
        var jsonId = await registry.RegisterSchemaAsync($"{topic}-json", new Schema("""{"title":"Shipment","type":"object","properties":{"id":{"type":"string"}}}""", SchemaType.Json));

        var order = new List<byte>();
        Bytes(order, 1, "o-1"u8.ToArray());
        Tag(order, 2, 0);
        Varint(order, 300);
        Bytes(order, 3, [1, 2, 3]);                                   // packed repeated int32
        Tag(order, 4, 0);
        Varint(order, 1);                                             // Status.PAID
        Bytes(order, 5, [0x0A, 0x01, (byte)'a', 0x10, 0x07]);         // map entry a -> 7
        Bytes(order, 6, [0x0A, 0x01, (byte)'A']);                     // Line { sku: "A" }
        var timestamp = new List<byte>();
        Tag(timestamp, 1, 0);
        Varint(timestamp, 1700000000);
        Bytes(order, 7, [.. timestamp]);
        Tag(order, 8, 1);
        var ratio = new byte[8];
        BinaryPrimitives.WriteDoubleLittleEndian(ratio, 0.25);
        order.AddRange(ratio);
        Tag(order, 99, 0);                                            // a field the schema does not know
        Varint(order, 5);

        // Message indexes [1] (the file's second message), zigzag varints: count 1, index 1.
        byte[] protoValue = [.. Header(protoId), 0x02, 0x02, .. order];
        byte[] jsonValue = [.. Header(jsonId), .. """{"id":"s-1"}"""u8.ToArray()];
        using (var producer = new ProducerBuilder<Null, byte[]>(new ProducerConfig { BootstrapServers = cluster.Bootstrap }).Build())
        {
            await producer.ProduceAsync(topic, new Message<Null, byte[]> { Value = protoValue });
            await producer.ProduceAsync(topic, new Message<Null, byte[]> { Value = jsonValue });
        }

        var tailed = await cluster.RunAsync("tail", topic, "-o", "json");

        Assert.True(tailed.ExitCode == 0, tailed.ToString());
        var lines = tailed.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(2, lines.Count);
        Assert.Equal(("shop.Order", protoId), (lines[0].GetProperty("schema").GetString(), lines[0].GetProperty("schemaId").GetInt32()));
        Assert.Equal(
            """{"id":"o-1","total":"300","sizes":[1,2,3],"status":"PAID","counts":{"a":7},"line":{"sku":"A"},"placed":"2023-11-14T22:13:20Z","ratio":0.25}""",
            lines[0].GetProperty("value").GetRawText());
        Assert.Equal(("Shipment", jsonId), (lines[1].GetProperty("schema").GetString(), lines[1].GetProperty("schemaId").GetInt32()));
        Assert.Equal("""{"id":"s-1"}""", lines[1].GetProperty("value").GetRawText());
    }

    [Fact]
    public async Task Produce_encodes_json_lines_as_protobuf_and_json_schema_and_names_the_field_at_fault()
    {
        var topic = $"produced-{Guid.NewGuid().ToString("N")[..8]}";
        var jsonTopic = topic + "-json";
        await cluster.CreateTopicAsync(topic, 1);
        await cluster.CreateTopicAsync(jsonTopic, 1);
        using var registry = new CachedSchemaRegistryClient(new SchemaRegistryConfig { Url = cluster.RegistryUrl });
        await registry.RegisterSchemaAsync($"{topic}-value", new Schema(OrderProto.Replace("message Ignored { string x = 1; }\n", "", StringComparison.Ordinal), SchemaType.Protobuf));
        await registry.RegisterSchemaAsync($"{jsonTopic}-value", new Schema(
            """{"title":"Shipment","type":"object","properties":{"id":{"type":"string"},"parcels":{"type":"integer","minimum":1}},"required":["id"]}""", SchemaType.Json));
        const string Order = """{"id":"o-2","total":"9007199254740993","sizes":[4,5],"status":"PAID","counts":{"b":2},"line":{"sku":"Z"},"placed":"2024-02-29T12:00:00Z","ratio":1.5}""";

        var produced = await cluster.RunWithInputAsync(Order + "\n", "produce", topic, "-o", "json");
        var badField = await cluster.RunWithInputAsync("""{"id":"o-3","sizes":["x"]}""" + "\n", "produce", topic);
        var unknownField = await cluster.RunWithInputAsync("""{"id":"o-3","colour":"red"}""" + "\n", "produce", topic);
        var shipped = await cluster.RunWithInputAsync("""{"id":"s-2","parcels":3}""" + "\n", "produce", jsonTopic, "-o", "json");
        var badShipment = await cluster.RunWithInputAsync("""{"id":"s-3","parcels":0}""" + "\n", "produce", jsonTopic);
        var tailed = await cluster.RunAsync("tail", topic, "-o", "json");
        var tailedJson = await cluster.RunAsync("tail", jsonTopic, "-o", "json");

        Assert.True(produced.ExitCode == 0, produced.ToString());
        Assert.Equal("shop.Order", produced.Json.GetProperty("schema").GetString());
        Assert.Equal(1, badField.ExitCode);
        Assert.Contains("$.sizes[0]", badField.Error, StringComparison.Ordinal);
        Assert.Equal(1, unknownField.ExitCode);
        Assert.Contains("$.colour", unknownField.Error, StringComparison.Ordinal);
        Assert.True(shipped.ExitCode == 0, shipped.ToString());
        Assert.Equal(1, badShipment.ExitCode);
        Assert.Contains("$.parcels", badShipment.Error, StringComparison.Ordinal);

        var line = Assert.Single(tailed.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement));
        Assert.Equal(Order, line.GetProperty("value").GetRawText());
        var shipment = Assert.Single(tailedJson.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement));
        Assert.Equal(("Shipment", """{"id":"s-2","parcels":3}"""), (shipment.GetProperty("schema").GetString(), shipment.GetProperty("value").GetRawText()));
    }

    private static byte[] Header(int id)
    {
        var header = new byte[5];
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(1), id);
        return header;
    }

    private static void Tag(List<byte> to, int number, int wireType) => Varint(to, (ulong)((number << 3) | wireType));

    private static void Bytes(List<byte> to, int number, byte[] bytes)
    {
        Tag(to, number, 2);
        Varint(to, (ulong)bytes.Length);
        to.AddRange(bytes);
    }

    private static void Varint(List<byte> to, ulong value)
    {
        while (value >= 0x80)
        {
            to.Add((byte)(value | 0x80));
            value >>= 7;
        }

        to.Add((byte)value);
    }
}
