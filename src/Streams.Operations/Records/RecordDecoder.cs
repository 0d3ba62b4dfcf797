using System.Buffers.Binary;
using System.Text;
using System.Text.Json.Nodes;
using Avro.Generic;
using Avro.IO;
using Confluent.SchemaRegistry;

namespace Streams.Operations.Records;

/// <summary>A decoded key or value: JSON, and the registry schema it was written with (null for plain bytes).</summary>
/// <param name="Json">The data as JSON; null for a null key or value.</param>
/// <param name="SchemaId">The registry id of the writer's schema, for Confluent-framed Avro.</param>
/// <param name="SchemaName">The writer schema's full name, for Confluent-framed Avro.</param>
public sealed record DecodedData(JsonNode? Json, int? SchemaId, string? SchemaName);

/// <summary>
/// Turns record keys and values into JSON: Confluent-framed Avro is read with the writer's schema from the registry
/// (generic records, so a schema no contract knows decodes too), anything else as UTF-8 text or, failing that, base64.
/// </summary>
public sealed class RecordDecoder(ISchemaRegistryClient registry)
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly Dictionary<int, (Avro.Schema Schema, GenericDatumReader<object> Reader)?> _readers = [];

    /// <summary>Decodes one key or value; schemas are fetched once per id and kept (not thread-safe).</summary>
    public async Task<DecodedData> DecodeAsync(byte[]? data)
    {
        if (data is null)
        {
            return new DecodedData(null, null, null);
        }

        // Confluent framing: magic byte 0, then the schema id as a big-endian int32.
        if (data.Length >= 5 && data[0] == 0)
        {
            var id = BinaryPrimitives.ReadInt32BigEndian(data.AsSpan(1));
            if (await ReaderAsync(id).ConfigureAwait(false) is { } reader)
            {
                using var stream = new MemoryStream(data, 5, data.Length - 5, writable: false);
                var datum = reader.Reader.Read(null!, new BinaryDecoder(stream));
                return new DecodedData(AvroJson.ToJson(datum), id, reader.Schema.Fullname);
            }
        }

        try
        {
            return new DecodedData(JsonValue.Create(StrictUtf8.GetString(data)), null, null);
        }
        catch (DecoderFallbackException)
        {
            return new DecodedData(JsonValue.Create("base64:" + Convert.ToBase64String(data)), null, null);
        }
    }

    private async Task<(Avro.Schema Schema, GenericDatumReader<object> Reader)?> ReaderAsync(int id)
    {
        if (_readers.TryGetValue(id, out var known))
        {
            return known;
        }

        try
        {
            var registered = await registry.GetSchemaAsync(id).ConfigureAwait(false);
            var schema = Avro.Schema.Parse(registered.SchemaString);
            known = (schema, new GenericDatumReader<object>(schema, schema));
        }
        catch (SchemaRegistryException e) when (e.ErrorCode / 100 == 404)
        {
            // Not a schema id after all (bytes that merely start with 0): show the raw bytes.
            known = null;
        }

        _readers[id] = known;
        return known;
    }
}
