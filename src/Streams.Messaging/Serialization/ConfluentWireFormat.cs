using System.Buffers.Binary;

namespace Streams.Messaging.Serialization;

/// <summary>Confluent's framing of registry-encoded values: magic byte 0, the schema id (big-endian int32), the payload.</summary>
internal static class ConfluentWireFormat
{
    public const int HeaderSize = 5;
    private const byte MagicByte = 0;

    public static int ReadSchemaId(ReadOnlySpan<byte> data)
    {
        if (data.Length < HeaderSize || data[0] != MagicByte)
        {
            throw new InvalidDataException($"Not a schema-registry framed value: {data.Length} bytes, first byte {(data.Length > 0 ? data[0] : -1)} (expected magic byte 0 and a 4-byte schema id).");
        }

        return BinaryPrimitives.ReadInt32BigEndian(data[1..]);
    }
}
