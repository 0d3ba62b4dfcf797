namespace Streams.Broker.Records;

/// <summary>The codec in bits 0-2 of a record batch's attributes; values 5-7 are undefined in Kafka.</summary>
internal enum CompressionType : byte
{
    None = 0,
    Gzip = 1,
    Snappy = 2,
    Lz4 = 3,
    Zstd = 4,
}
