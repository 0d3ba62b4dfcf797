using System.Text.Json;
using Confluent.SchemaRegistry;
using Streams.Operations.Records;
using Streams.Tests.Shared;

namespace Streams.Operations.Tests;

/// <summary>What <see cref="RecordDecoder"/> prints, <see cref="RecordEncoder"/> writes back, byte for byte.</summary>
public sealed class RecordCodecTests(EmbeddedRegistry registry) : IClassFixture<EmbeddedRegistry>
{
    private const string Schema = """
        {"type":"record","name":"Payment","namespace":"test","fields":[
          {"name":"id","type":"string"},
          {"name":"amount","type":{"type":"bytes","logicalType":"decimal","precision":18,"scale":2}},
          {"name":"at","type":{"type":"long","logicalType":"timestamp-millis"}},
          {"name":"note","type":["null","string"],"default":null}]}
        """;

    [Fact]
    public async Task Decoding_then_encoding_gives_the_same_bytes()
    {
        using var client = registry.Client();
        var id = await client.RegisterSchemaAsync("payments-" + Guid.NewGuid().ToString("N"), new Schema(Schema, SchemaType.Avro));
        var encoder = new RecordEncoder(Avro.Schema.Parse(Schema), id);
        using var json = JsonDocument.Parse("""{"id":"p-1","amount":12.5,"at":"2026-01-31T12:00:00Z","note":"first"}""");

        var bytes = encoder.Encode(json.RootElement);
        var decoded = await new RecordDecoder(client).DecodeAsync(bytes);
        using var again = JsonDocument.Parse(decoded.Json!.ToJsonString());

        Assert.Equal((id, "test.Payment"), (decoded.SchemaId!.Value, decoded.SchemaName));
        Assert.Equal(12.5m, decoded.Json["amount"]!.GetValue<decimal>());
        Assert.Equal(bytes, encoder.Encode(again.RootElement));
    }

    [Fact]
    public void Json_that_does_not_fit_names_the_field()
    {
        var encoder = new RecordEncoder(Avro.Schema.Parse(Schema), 1);
        using var json = JsonDocument.Parse("""{"id":"p-1","amount":12.345,"at":"2026-01-31T12:00:00Z"}""");

        var e = Assert.Throws<JsonSchemaMismatchException>(() => encoder.Encode(json.RootElement));

        Assert.Equal("$.amount", e.Path);
    }

    [Fact]
    public async Task Bytes_that_are_not_framed_avro_decode_as_text_or_base64()
    {
        using var client = registry.Client();
        var decoder = new RecordDecoder(client);

        Assert.Equal("hello", (await decoder.DecodeAsync("hello"u8.ToArray())).Json!.GetValue<string>());
        Assert.Equal("base64:/w==", (await decoder.DecodeAsync([0xff])).Json!.GetValue<string>());
        Assert.Null((await decoder.DecodeAsync(null)).Json);
    }

    [Fact]
    public void A_record_nested_deeper_than_json_parsing_allows_by_default_still_decodes()
    {
        var schema = (Avro.RecordSchema)Avro.Schema.Parse("""{"type":"record","name":"Node","fields":[{"name":"next","type":["null","Node"]}]}""");
        Avro.Generic.GenericRecord? chain = null;
        for (var depth = 0; depth < 200; depth++)
        {
            var node = new Avro.Generic.GenericRecord(schema);
            node.Add("next", chain);
            chain = node;
        }

        var json = AvroJson.ToJson(chain)!;

        var levels = 0;
        for (var node = json; node is not null; node = node["next"])
        {
            levels++;
        }

        Assert.Equal(200, levels);
    }
}
