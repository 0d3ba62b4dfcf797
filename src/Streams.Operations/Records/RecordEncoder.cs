using System.Buffers.Binary;
using System.Text.Json;
using Avro.Generic;
using Avro.IO;

namespace Streams.Operations.Records;

/// <summary>
/// Writes JSON as Confluent-framed Avro with one registered schema: the inverse of <see cref="RecordDecoder"/>, so
/// what it prints can be written back. The JSON is read by <see cref="AvroJson.FromJson"/> (plain JSON, no union wrappers).
/// </summary>
/// <param name="schema">The schema to write with.</param>
/// <param name="schemaId">Its registry id, written in the frame.</param>
public sealed class RecordEncoder(Avro.Schema schema, int schemaId)
{
    private readonly GenericDatumWriter<object> _writer = new(schema);

    /// <summary>The schema records are written with.</summary>
    public Avro.Schema Schema => schema;

    /// <summary>Its registry id.</summary>
    public int SchemaId => schemaId;

    /// <summary>The record as Kafka value bytes: magic byte 0, the schema id (big-endian), the Avro binary.</summary>
    /// <exception cref="JsonSchemaMismatchException"><paramref name="json"/> does not fit the schema.</exception>
    public byte[] Encode(JsonElement json)
    {
        var datum = AvroJson.FromJson(json, schema);
        using var stream = new MemoryStream();
        Span<byte> header = stackalloc byte[5];
        BinaryPrimitives.WriteInt32BigEndian(header[1..], schemaId);
        stream.Write(header);
        _writer.Write(datum!, new BinaryEncoder(stream));
        return stream.ToArray();
    }
}
